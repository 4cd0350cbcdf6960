// Track lengths alone, for the durations Subsonic shows on every playlist of getPlaylists:
// reading whole tracks for every entry of every playlist would be the library many times over.
import type { Queryable } from '../db/queryable.js'

// Seconds by track id; a track that is gone is absent.
export async function trackDurations (db: Queryable, ids: string[]): Promise<Map<string, number>> {
  const unique = [...new Set(ids)]
  if (unique.length === 0) return new Map()
  const { rows } = await db.query<{ id: string, duration: number | string }>(
    'SELECT id::text AS id, duration FROM tracks WHERE id = ANY($1::uuid[])', [unique])
  return new Map(rows.map((r) => [r.id, Number(r.duration)]))
}
