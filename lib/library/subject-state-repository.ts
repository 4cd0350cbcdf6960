// A user's stars, ratings and plays of albums, artists and tracks, as the OpenSubsonic API shows
// them beside each item. Albums and artists have their own stars and ratings (sql/014); their
// plays are the sums of their tracks' plays, so they are never stored twice.
import type { Queryable } from '../db/queryable.js'

// The two subjects starred and rated on their own, and how their tracks name them.
export interface Subject {
  table: 'albums' | 'artists'
  state: 'user_album_state' | 'user_artist_state'
  key: 'album_id' | 'artist_id'
}
export const ALBUM_SUBJECT: Subject = { table: 'albums', state: 'user_album_state', key: 'album_id' }
export const ARTIST_SUBJECT: Subject = { table: 'artists', state: 'user_artist_state', key: 'artist_id' }

export interface SubjectStateChange {
  starred?: boolean
  // null clears the rating.
  rating?: number | null
}

// false: no such album or artist, and nothing was written. As for tracks (updateTrackState), a
// value set to what it already is writes no row, so it moves no cache (sql/013); a star set
// again keeps the time of the first.
export async function updateSubjectState (db: Queryable, subject: Subject, user: string, id: string, change: SubjectStateChange): Promise<boolean> {
  const values: unknown[] = [user, id]
  const inserted: Array<{ column: string, value: string }> = []
  const updates: string[] = []
  const differs: string[] = []
  if (change.starred !== undefined) {
    values.push(change.starred)
    const starred = `$${values.length}::boolean`
    inserted.push({ column: 'starred_at', value: `CASE WHEN ${starred} THEN now() END` })
    updates.push(`starred_at = CASE WHEN ${starred} THEN coalesce(s.starred_at, now()) END`)
    differs.push(`(s.starred_at IS NOT NULL) IS DISTINCT FROM ${starred}`)
  }
  if (change.rating !== undefined) {
    values.push(change.rating)
    inserted.push({ column: 'rating', value: `$${values.length}::smallint` })
    updates.push('rating = EXCLUDED.rating')
    differs.push('s.rating IS DISTINCT FROM EXCLUDED.rating')
  }
  if (inserted.length === 0) {
    const { rows } = await db.query(`SELECT 1 FROM ${subject.table} WHERE id = $1::uuid`, [id])
    return rows.length > 0
  }
  // A data-modifying WITH runs whether or not the answer reads it: one statement both writes
  // and says whether the subject exists.
  const { rows } = await db.query<{ n: number }>(
    `WITH subject AS (SELECT id FROM ${subject.table} WHERE id = $2::uuid),
     written AS (
       INSERT INTO ${subject.state} AS s (user_id, ${subject.key}, ${inserted.map((f) => f.column).join(', ')})
       SELECT $1::uuid, id, ${inserted.map((f) => f.value).join(', ')} FROM subject
       ON CONFLICT (user_id, ${subject.key}) DO UPDATE SET ${updates.join(', ')}
       WHERE ${differs.join(' OR ')})
     SELECT count(*)::int AS n FROM subject`, values)
  return rows[0].n > 0
}

export interface ItemState {
  starredAt: Date | null
  rating: number | null
  playCount: number
  lastPlayed: Date | null
}

interface StateRow {
  id: string
  starred_at: Date | string | null
  rating: number | null
  play_count: number
  last_played: Date | string | null
}

const date = (value: Date | string | null): Date | null => value === null ? null : new Date(value)

function stateMap (rows: StateRow[]): Map<string, ItemState> {
  return new Map(rows.map((r) => [r.id, { starredAt: date(r.starred_at), rating: r.rating, playCount: r.play_count, lastPlayed: date(r.last_played) }]))
}

// The user's state of each of these tracks; a track they never touched is left out.
export async function trackStates (db: Queryable, user: string, ids: string[]): Promise<Map<string, ItemState>> {
  if (ids.length === 0) return new Map()
  const { rows } = await db.query<StateRow>(
    `SELECT track_id AS id, starred_at, rating, play_count, last_played FROM user_track_state
     WHERE user_id = $1::uuid AND track_id = ANY($2::uuid[])`, [user, ids])
  return stateMap(rows)
}

// The user's state of each of these albums or artists: its own star and rating, and the sum of
// the plays of its tracks and the latest of them. One never starred, rated or played is left out.
export async function subjectStates (db: Queryable, subject: Subject, user: string, ids: string[]): Promise<Map<string, ItemState>> {
  if (ids.length === 0) return new Map()
  const { rows } = await db.query<StateRow>(
    `SELECT x.id, s.starred_at, s.rating, coalesce(p.play_count, 0)::int AS play_count, p.last_played
     FROM (SELECT DISTINCT unnest($2::uuid[]) AS id) x
     LEFT JOIN ${subject.state} s ON s.user_id = $1::uuid AND s.${subject.key} = x.id
     LEFT JOIN LATERAL (
       SELECT sum(us.play_count) AS play_count, max(us.last_played) AS last_played
       FROM tracks t JOIN user_track_state us ON us.user_id = $1::uuid AND us.track_id = t.id
       WHERE t.${subject.key} = x.id
     ) p ON true
     WHERE s.user_id IS NOT NULL OR p.play_count IS NOT NULL`, [user, ids])
  return stateMap(rows)
}
