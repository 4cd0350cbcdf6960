// The error codes of the Subsonic API and its OpenSubsonic additions. Codes 20 and 30 (client or
// server too old) are never used: every client version is answered.
export const CODES = {
  generic: 0,
  missingParameter: 10,
  wrongCredentials: 40,
  tokenNotSupported: 41,
  mechanismNotSupported: 42,
  conflictingMechanisms: 43,
  invalidApiKey: 44,
  notAuthorized: 50,
  notFound: 70
} as const

export type SubsonicCode = typeof CODES[keyof typeof CODES]

// Thrown by a method's handler (or the parameter readers) and written as an error envelope.
export class SubsonicError extends Error {
  constructor (readonly code: SubsonicCode, message: string, readonly helpUrl?: string) {
    super(message)
  }
}

export const notFound = (what: string): SubsonicError => new SubsonicError(CODES.notFound, `${what} not found`)
