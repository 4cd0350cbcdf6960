// A file's content identity: its size and a SHA-256 of its first and last 64 KiB. It follows the
// file through moves and renames (the bytes do not change), costs two small reads beside the
// tag parse, and tells apart files that merely share tags. Rewriting the tags changes it, which
// is fine: a file retagged where it is keeps its track by path.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'

const WINDOW = 64 * 1024

export async function contentKeyOf (absPath: string): Promise<string | null> {
  let handle
  try {
    handle = await open(absPath, 'r')
    const { size } = await handle.stat()
    const hash = createHash('sha256')
    const head = Buffer.alloc(Math.min(WINDOW, size))
    const { bytesRead } = await handle.read(head, 0, head.length, 0)
    hash.update(head.subarray(0, bytesRead))
    if (size > WINDOW) {
      const tailStart = Math.max(WINDOW, size - WINDOW)
      const tail = Buffer.alloc(size - tailStart)
      const read = await handle.read(tail, 0, tail.length, tailStart)
      hash.update(tail.subarray(0, read.bytesRead))
    }
    return `${size}:${hash.digest('base64url')}`
  } catch {
    // Without a key the track still indexes; it just cannot be recognised after a move.
    return null
  } finally {
    await handle?.close().catch(() => {})
  }
}
