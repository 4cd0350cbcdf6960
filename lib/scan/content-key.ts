// A file's content identity: its size and a SHA-256 of the head and tail the tag parser reads
// anyway (lib/scan/cached-file-tokenizer.ts: the first 64 KiB and the last 4 KiB), so it costs
// no extra I/O. It follows the file through moves and renames (the bytes do not change), and
// tells apart files that merely share tags. Rewriting the tags changes it, which is fine: a file
// retagged where it is keeps its track by path.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import type { Queryable } from '../db/queryable.js'
import { CachedFileTokenizer } from './cached-file-tokenizer.js'
import { mapInLanes } from '../lanes.js'

export function contentKeyFrom (tokenizer: CachedFileTokenizer): string {
  const hash = createHash('sha256')
  for (const bytes of tokenizer.cachedWindows()) hash.update(bytes)
  return `${tokenizer.fileInfo.size ?? 0}:${hash.digest('base64url')}`
}

export async function contentKeyOf (absPath: string): Promise<string | null> {
  let tokenizer: CachedFileTokenizer | undefined
  try {
    tokenizer = await CachedFileTokenizer.open(absPath, false)
    return contentKeyFrom(tokenizer)
  } catch {
    // Without a key the track still indexes; it just cannot be recognised after a move.
    return null
  } finally {
    await tokenizer?.close().catch(() => {})
  }
}

// Tracks indexed before content keys were recorded (sql/007) get theirs from the file where it is,
// a page at a time, so that they too are recognised after a move. A file that cannot be read
// now keeps NULL and is tried by the next scan.
export async function fillMissingContentKeys (db: Queryable, root: string, signal: AbortSignal, concurrency = 4): Promise<number> {
  let after = '00000000-0000-0000-0000-000000000000'
  let filled = 0
  for (;;) {
    signal.throwIfAborted()
    const { rows } = await db.query<{ id: string, file_path: string }>(
      'SELECT id, file_path FROM tracks WHERE content_key IS NULL AND id > $1 ORDER BY id LIMIT 500', [after])
    if (rows.length === 0) return filled
    after = rows[rows.length - 1].id
    const keys = await mapInLanes(rows, concurrency, async (row) => await contentKeyOf(join(root, row.file_path)))
    const found = rows.flatMap((r, i) => keys[i] === null ? [] : [{ id: r.id, key: keys[i] }])
    if (found.length === 0) continue
    const { rowCount } = await db.query(
      `UPDATE tracks t SET content_key = v.key FROM unnest($1::uuid[], $2::text[]) AS v(id, key)
       WHERE t.id = v.id AND t.content_key IS NULL`, [found.map((f) => f.id), found.map((f) => f.key)])
    filled += rowCount ?? 0
  }
}
