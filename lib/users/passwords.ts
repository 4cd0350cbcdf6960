// Account passwords: Argon2id only, never stored or logged in a recoverable form.
import { hash, verify, Algorithm } from '@node-rs/argon2'

// OWASP's first Argon2id setting (19 MiB, 2 passes, 1 lane): about 10 ms of one core per check
// (bench/auth.ts), nothing to a person logging in, and with the rate limits (plugins/rate-limit.ts)
// far too slow for guessing.
export const ARGON2_PARAMS = {
  algorithm: Algorithm.Argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1
} as const

export const PASSWORD_MIN = 8
// Argon2 hashes any length, but a megabyte of "password" is an attack on the CPU, not a password.
export const PASSWORD_MAX = 256

// The same password typed on two systems may arrive composed or decomposed (NIST SP 800-63B
// asks for one normal form), so both sides are hashed in NFC.
export async function hashPassword (password: string): Promise<string> {
  return await hash(password.normalize('NFC'), ARGON2_PARAMS)
}

// A stored hash made with other parameters still verifies: the PHC string carries its own.
export async function passwordMatches (stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'))
  } catch {
    return false
  }
}

// Verifying against this when the user does not exist costs what a real check costs, so the
// answer's timing does not tell a guesser which usernames exist.
let decoy: Promise<string> | undefined
export async function decoyCheck (password: string): Promise<false> {
  decoy ??= hashPassword('not a password anyone has')
  await passwordMatches(await decoy, password)
  return false
}
