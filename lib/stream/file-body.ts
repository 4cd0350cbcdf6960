import { read } from 'node:fs'
import { promisify } from 'node:util'

const readAt = promisify(read)

// Ranges up to this size (players' probe and seek requests) are read into one Buffer: one
// pread and one socket write instead of a stream's setup and per-chunk callbacks.
// Chosen by bench/stream.ts; see bench/README.md.
export const SMALL_RANGE_BYTES = 1024 * 1024

// The bytes, or null when the file is now shorter than its stat said (truncated under us).
export async function readRange (fd: number, start: number, length: number): Promise<Buffer | null> {
  const buffer = Buffer.allocUnsafe(length)
  let filled = 0
  while (filled < length) {
    const { bytesRead } = await readAt(fd, buffer, filled, length - filled, start + filled)
    if (bytesRead === 0) return null
    filled += bytesRead
  }
  return buffer
}

// nginx decodes the X-Accel-Redirect URI, so each segment is percent-encoded once.
export function offloadPath (prefix: string, relativePath: string): string {
  return prefix + relativePath.split('/').map(encodeURIComponent).join('/')
}
