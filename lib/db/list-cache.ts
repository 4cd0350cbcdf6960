// Totals and deep-page positions, cached per library version.
//
// A count(*) over 100k tracks, or an OFFSET of 90,000, walks a whole index on every request.
// Both only change when the library does, so they are kept here under the fingerprint of
// library_changes (sql/002), which every committed list-relevant change moves. Each cached
// value is computed in the same statement that reads the fingerprint it is stored under, so
// it can never be older than its label. Several processes may share a database: each keeps
// its own cache and checks the fingerprint per request (one tiny index read).
import type { Queryable } from './queryable.js'
import { prepared } from './prepared.js'

export const FINGERPRINT = '(SELECT max(id)::text || \':\' || count(*) FROM library_changes)'
const COMPACT_ABOVE = 1000

export interface CachedIds {
  // Every id of the list in ascending order; descending is read from the end.
  ids: string[]
}

// Below this offset a page walks the index directly; from it on, positions come from the cache.
export const DEEP_OFFSET = 1000

export interface ListCacheOptions {
  deepOffset?: number
  maxLists?: number
  maxTotals?: number
}

export class ListCache {
  private version = ''
  private totals = new Map<string, number>()
  private lists = new Map<string, Promise<CachedIds>>()

  readonly deepOffset: number
  private readonly maxLists: number
  private readonly maxTotals: number

  constructor (opts: ListCacheOptions = {}) {
    this.deepOffset = opts.deepOffset ?? DEEP_OFFSET
    this.maxLists = opts.maxLists ?? 8
    this.maxTotals = opts.maxTotals ?? 2000
  }

  async fingerprint (db: Queryable): Promise<string> {
    const { rows } = await prepared<{ fp: string, n: number }>(db,
      'SELECT max(id)::text || \':\' || count(*) AS fp, count(*)::int AS n FROM library_changes', [])
    if (rows[0].n > COMPACT_ABOVE) await this.compact(db)
    this.adopt(rows[0].fp)
    return rows[0].fp
  }

  private async compact (db: Queryable): Promise<void> {
    await db.query(`WITH old AS (DELETE FROM library_changes WHERE id <= (SELECT max(id) FROM library_changes))
      INSERT INTO library_changes DEFAULT VALUES`)
  }

  // A version read along with other data; returns it.
  adoptVersion (version: string): string {
    this.adopt(version)
    return version
  }

  private adopt (version: string): void {
    if (version === this.version) return
    this.version = version
    this.totals.clear()
    this.lists.clear()
  }

  // `countSql` is a SELECT whose only column is n (an integer).
  async total (db: Queryable, version: string, key: string, countSql: string, values: unknown[]): Promise<number> {
    const hit = this.totals.get(key)
    if (hit !== undefined) return hit
    const { rows } = await prepared<{ n: number, fp: string }>(db,
      `SELECT c.n, ${FINGERPRINT} AS fp FROM (${countSql}) c`, values)
    if (rows[0].fp === version && this.version === version) {
      if (this.totals.size >= this.maxTotals) this.totals.clear()
      this.totals.set(key, rows[0].n)
    }
    return rows[0].n
  }

  // `idsSql` is a SELECT of id and rn, the row's position in the list's ascending order.
  async ids (db: Queryable, version: string, key: string, idsSql: string, values: unknown[]): Promise<CachedIds> {
    const hit = this.lists.get(key)
    if (hit !== undefined) return hit
    const loaded = db.query<{ ids: string[], fp: string }>(
      `SELECT coalesce((SELECT array_agg(l.id::text ORDER BY l.rn) FROM (${idsSql}) l), '{}') AS ids, ${FINGERPRINT} AS fp`, values)
      .then(({ rows }) => rows[0])
    const result = loaded.then(({ ids }) => ({ ids }))
    if (this.lists.size >= this.maxLists) this.lists.delete(this.lists.keys().next().value as string)
    this.lists.set(key, result)
    // Built from a newer library than the one it was asked for, or failed: not worth keeping.
    const forget = (): void => { if (this.lists.get(key) === result) this.lists.delete(key) }
    loaded.then(({ fp }) => { if (fp !== version) forget() }, forget)
    return result
  }
}
