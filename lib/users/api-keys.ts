// API keys: 256 random bits, shown to their owner once, kept only as a SHA-256 digest.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

// The prefix makes a leaked key recognisable to secret scanners and to the person who finds it.
const PREFIX = 'snt_'

export function newApiKey (): { key: string, hash: Buffer } {
  const key = PREFIX + randomBytes(32).toString('base64url')
  return { key, hash: keyDigest(key) }
}

export function keyDigest (key: string): Buffer {
  return createHash('sha256').update(key).digest()
}

// Both sides are digests of equal length, so neither the comparison time nor a length check
// tells a caller how close a guess was.
export function digestsMatch (expected: Buffer, given: Buffer): boolean {
  return expected.length === given.length && timingSafeEqual(expected, given)
}
