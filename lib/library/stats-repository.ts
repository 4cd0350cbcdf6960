// Library totals and the alphabet index (first-letter jump offsets).
import type { AlphabetIndexT, AlphabetType, LibraryStatsT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import { iso } from '../iso-time.js'
import type { LibraryCountsT } from '../../schemas/scan.js'

export async function libraryStats (db: Queryable): Promise<LibraryStatsT> {
  const { rows } = await db.query<{
    track_count: number
    total_duration: number
    total_size: string
    artist_count: number
    album_count: number
    last_scan: Date | string | null
  }>(`
    SELECT t.track_count, t.total_duration, t.total_size,
           (SELECT count(*)::int FROM artists) AS artist_count,
           (SELECT count(*)::int FROM albums) AS album_count,
           (SELECT max(finished_at) FROM scans WHERE finished_at IS NOT NULL) AS last_scan
    FROM (SELECT count(*)::int AS track_count, coalesce(sum(duration), 0)::float8 AS total_duration,
                 coalesce(sum(file_size), 0)::text AS total_size FROM tracks) t`)
  const row = rows[0]
  return {
    trackCount: row.track_count,
    artistCount: row.artist_count,
    albumCount: row.album_count,
    totalDuration: row.total_duration,
    totalSize: Number(row.total_size),
    lastScan: row.last_scan === null ? null : iso(row.last_scan)
  }
}

// The three counts alone, for callers that need no sums (the scanner's progress events).
export async function libraryCounts (db: Queryable): Promise<LibraryCountsT> {
  const { rows } = await db.query<{ tracks: number, artists: number, albums: number }>(
    `SELECT (SELECT count(*) FROM tracks)::int AS tracks, (SELECT count(*) FROM artists)::int AS artists,
       (SELECT count(*) FROM albums)::int AS albums`)
  return rows[0]
}

// The default sort of each list: its folded sort key, then id (as in the list repositories).
const ALPHABET_SOURCES: Record<AlphabetType, { table: string, key: string }> = {
  tracks: { table: 'tracks', key: 'sort_key' },
  albums: { table: 'albums', key: 'sort_key' },
  artists: { table: 'artists', key: 'sort_key' }
}

// Offsets come from the row numbers of the real order, so they agree with the list whatever
// the database collation does with digits, punctuation or non-Latin letters.
export async function alphabetIndex (db: Queryable, type: AlphabetType): Promise<AlphabetIndexT> {
  const { table, key } = ALPHABET_SOURCES[type]
  const { rows } = await db.query<{ letter: string, first: number }>(`
    SELECT letter, min(pos)::int AS first FROM (
      SELECT CASE WHEN ${key} ~ '^[a-z]' THEN upper(left(${key}, 1)) ELSE '#' END AS letter,
             row_number() OVER (ORDER BY ${key}, id) - 1 AS pos
      FROM ${table}
    ) ranked GROUP BY letter ORDER BY first`)
  const index: AlphabetIndexT = {}
  for (const row of rows) index[row.letter] = row.first
  return index
}
