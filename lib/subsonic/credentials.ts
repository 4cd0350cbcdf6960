// Which login mechanism a Subsonic request uses, read from its parameters and Authorization
// header. Only API keys exist here (no password is kept recoverable), so the classic u+p login
// is accepted with one of the user's API keys as the password (an "app password"); the token
// login (t = md5(password + salt)) would need the password itself and is refused with code 41.
import { CODES, SubsonicError } from './errors.js'
import type { Params } from './params.js'

export type Credentials =
  | { kind: 'apiKey', key: string }
  | { kind: 'appPassword', username: string, key: string }
  | { kind: 'token' }
  | { kind: 'none' }

const conflict = (): SubsonicError =>
  new SubsonicError(CODES.conflictingMechanisms, 'Give one way to log in: apiKey alone, u with p, or an Authorization header')

// `enc:` is hex of the UTF-8 password, in either case, as clients write it.
function decodePassword (p: string): string {
  if (!/^enc:/i.test(p)) return p
  const hex = p.slice(4)
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) throw new SubsonicError(CODES.wrongCredentials, 'Wrong username or password')
  return Buffer.from(hex, 'hex').toString('utf8')
}

function basic (authorization: string | undefined): { username: string, password: string } | null {
  if (authorization === undefined) return null
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization)
  if (match === null) return null
  const text = Buffer.from(match[1], 'base64').toString('utf8')
  const colon = text.indexOf(':')
  // Without a colon there is no password: a login that cannot succeed, not a missing one.
  return colon < 0 ? { username: text, password: '' } : { username: text.slice(0, colon), password: text.slice(colon + 1) }
}

export function readCredentials (params: Params, authorization: string | undefined): Credentials {
  const apiKey = params.string('apiKey')
  const u = params.string('u')
  const p = params.string('p')
  const token = params.has('t') || params.has('s')
  const header = basic(authorization)
  if (apiKey !== undefined) {
    if (u !== undefined || p !== undefined || token || header !== null) throw conflict()
    return { kind: 'apiKey', key: apiKey }
  }
  if (header !== null) {
    if (p !== undefined || token || (u !== undefined && u !== header.username)) throw conflict()
    return { kind: 'appPassword', username: header.username, key: decodePassword(header.password) }
  }
  if (p !== undefined && token) throw conflict()
  if (token) return { kind: 'token' }
  if (u === undefined && p === undefined) return { kind: 'none' }
  if (u === undefined || u === '') throw new SubsonicError(CODES.missingParameter, "Required parameter 'u' is missing")
  if (p === undefined || p === '') throw new SubsonicError(CODES.missingParameter, "Required parameter 'p' is missing")
  return { kind: 'appPassword', username: u, key: decodePassword(p) }
}
