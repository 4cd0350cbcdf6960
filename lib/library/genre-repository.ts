// Every genre a track is tagged with, and how many tracks and albums carry it (Subsonic's
// getGenres). A track lists each of its genres, so one track counts towards several.
import type { Queryable } from '../db/queryable.js'

export interface Genre {
  name: string
  songCount: number
  albumCount: number
}

export async function listGenres (db: Queryable): Promise<Genre[]> {
  // Ordered by bytes, not by the server's locale: PostgreSQL and PGlite list them alike.
  const { rows } = await db.query<Genre>(
    `SELECT g AS name, count(DISTINCT t.id)::int AS "songCount", count(DISTINCT t.album_id)::int AS "albumCount"
     FROM tracks t, unnest(t.genres) g
     GROUP BY g ORDER BY lower(g) COLLATE "C", g COLLATE "C"`)
  return rows
}
