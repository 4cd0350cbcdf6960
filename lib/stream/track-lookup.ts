// Finds the library-relative file of the track a stream URL names (an id or an exact path).
// Only file_path is read: the stream needs nothing else, and this is the hot path.
import type { Queryable } from '../library/track-row.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export async function findStreamPath (db: Queryable, key: string): Promise<string | null> {
  // PostgreSQL rejects NUL in text; such a key can never name an indexed track.
  if (key.length === 0 || key.includes('\0')) return null
  if (UUID.test(key)) {
    const { rows } = await db.query<{ file_path: string }>('SELECT file_path FROM tracks WHERE id = $1', [key.toLowerCase()])
    if (rows.length > 0) return rows[0].file_path
  }
  const { rows } = await db.query<{ file_path: string }>('SELECT file_path FROM tracks WHERE file_path = $1', [key])
  return rows.length > 0 ? rows[0].file_path : null
}

// Players fire many requests per track (probe, seeks, reconnects), and embedded PGlite answers
// one query at a time, so lookups are remembered briefly and concurrent ones share one query.
// Only the row is cached: the file is resolved and stat'ed on every request, so a deleted or
// changed file is noticed at once; a row removed or moved by a rescan is noticed within ttlMs.
export class StreamPathCache {
  private readonly entries = new Map<string, { at: number, value: Promise<string | null> }>()

  constructor (private readonly ttlMs: number, private readonly maxEntries: number) {}

  get (key: string, load: (key: string) => Promise<string | null>): Promise<string | null> {
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value
    if (this.entries.size >= this.maxEntries) this.entries.clear()
    const value = load(key)
    this.entries.set(key, { at: now, value })
    // Failures (database down) are not remembered.
    value.catch(() => { if (this.entries.get(key)?.value === value) this.entries.delete(key) })
    return value
  }
}
