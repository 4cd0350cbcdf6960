// Every artist at once, for an index of the whole library (Subsonic's getArtists and
// getIndexes), and when the library last changed. The per-artist counts are grouped scans of
// each table rather than a subquery per artist: thousands of artists cost a few scans, not
// thousands of lookups.
import type { ArtistT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import { toArtist, type ArtistRow } from './artist-repository.js'

// The same values as ARTIST_COLUMNS (artist-repository.ts), the image album chosen alike.
export async function everyArtist (db: Queryable): Promise<ArtistT[]> {
  const { rows } = await db.query<ArtistRow>(`
    SELECT a.id, a.name, a.created_at,
           coalesce(tc.n, 0)::int AS track_count,
           coalesce(ac.n, 0)::int AS album_count,
           coalesce(gs.genres, '{}') AS genres,
           img.id AS image_album_id
    FROM artists a
    LEFT JOIN (SELECT artist_id, count(*) AS n FROM tracks GROUP BY artist_id) tc ON tc.artist_id = a.id
    LEFT JOIN (SELECT artist_id, count(*) AS n FROM albums GROUP BY artist_id) ac ON ac.artist_id = a.id
    LEFT JOIN (SELECT t.artist_id, array_agg(DISTINCT g ORDER BY g) AS genres
               FROM tracks t, unnest(t.genres) g GROUP BY t.artist_id) gs ON gs.artist_id = a.id
    LEFT JOIN (SELECT DISTINCT ON (artist_id) artist_id, id FROM albums WHERE cover_source IS NOT NULL
               ORDER BY artist_id, year NULLS LAST, sort_key, id) img ON img.artist_id = a.id
    ORDER BY a.sort_key, a.id`)
  return rows.map(toArtist)
}

// When a list of the library last changed (library_changes, sql/002): tracks, albums or
// artists added, removed or renamed.
export async function lastLibraryChange (db: Queryable): Promise<Date> {
  const { rows } = await db.query<{ at: Date | string }>('SELECT max(changed_at) AS at FROM library_changes')
  return new Date(rows[0].at)
}
