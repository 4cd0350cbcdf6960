// Track lists and user state. Rows become Tracks only through track-row.ts.
import type { TrackSort, TrackT } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'
import { findTrackById, toTrack, trackHydrate, type TrackRow, type Viewer } from './track-row.js'
import type { Queryable } from '../db/queryable.js'
import { Params, containsEveryWord, whereClause, type PageWindow } from '../db/sql-parts.js'
import type { ListCache } from '../db/list-cache.js'
import { listPage, type PageQuery, type Paged } from '../db/paged.js'
import type { WholeListSpec } from './whole-list.js'

// Each order ends in the primary key, so ties are broken the same way on every page. The
// btree indexes in sql/ have exactly these column lists, except for the caller's own state (s,
// joined per caller): a track the caller never played counts 0 plays and was played at -infinity,
// so desc (most played, most recent first) lists the never played last and is still the exact
// reverse of asc.
const TRACK_ORDERS: Record<TrackSort, readonly string[]> = {
  title: ['t.sort_key', 't.id'],
  artist: ['t.artist_key', 't.album_key', 't.disc_number', 't.track_number', 't.id'],
  album: ['t.album_key', 't.disc_number', 't.track_number', 't.id'],
  year: ['t.year', 't.id'],
  recent: ['t.added_at', 't.id'],
  duration: ['t.duration', 't.id'],
  trackNumber: ['t.disc_number', 't.track_number', 't.id'],
  playCount: ['coalesce(s.play_count, 0)', 't.id'],
  lastPlayed: ['coalesce(s.last_played, \'-infinity\'::timestamptz)', 't.id']
}
const STATE_SORTS: ReadonlySet<TrackSort> = new Set(['playCount', 'lastPlayed'])

export interface TrackFilter {
  artistId?: string
  albumId?: string
  genre?: string
  year?: number
  q?: string
  // The caller's favourites only (true), or only the others (false).
  favorite?: boolean
}

export interface TrackListOptions extends PageWindow, TrackFilter {
  sort: TrackSort
  order: SortOrder
  // Whose state the tracks show, and whose favourites and plays sort and filter them.
  viewer: Viewer
}

function trackConditions (filter: TrackFilter, params: Params): string[] {
  const where: string[] = []
  if (filter.artistId !== undefined) where.push(`t.artist_id = ${params.add(filter.artistId)}`)
  if (filter.albumId !== undefined) where.push(`t.album_id = ${params.add(filter.albumId)}`)
  if (filter.genre !== undefined) where.push(`t.genres @> ARRAY[${params.add(filter.genre)}]::text[]`)
  if (filter.year !== undefined) where.push(`t.year = ${params.add(filter.year)}`)
  if (filter.q !== undefined) where.push(...containsEveryWord('t.search_key', filter.q, params))
  if (filter.favorite !== undefined) where.push(`coalesce(s.is_favorite, false) = ${params.add(filter.favorite)}::boolean`)
  return where
}

function trackQuery (opts: Omit<TrackListOptions, 'limit'>): Omit<PageQuery, 'limit'> {
  const params = new Params()
  // Only a list the caller's state sorts or filters joins it, so it alone carries the viewer
  // among its values: the ListCache keys lists by text and values, which keeps such lists
  // apart per caller while every caller shares the others' totals and positions.
  const personal = STATE_SORTS.has(opts.sort) || opts.favorite !== undefined
  const from = personal
    ? `tracks t LEFT JOIN user_track_state s ON s.track_id = t.id AND s.user_id = ${params.add(opts.viewer)}::uuid`
    : 'tracks t'
  const where = whereClause(trackConditions(opts, params))
  return { from, where, values: params.values, columns: TRACK_ORDERS[opts.sort], id: 't.id', order: opts.order, offset: opts.offset }
}

export async function listTracks (db: Queryable, cache: ListCache, opts: TrackListOptions): Promise<Paged<TrackT>> {
  const { rows, total } = await listPage<TrackRow>(db, cache, { ...trackQuery(opts), limit: opts.limit }, trackHydrate(opts.viewer))
  return { rows: rows.map(toTrack), total }
}

// The same list as listTracks, whole (limit=-1).
export function wholeTracks (opts: Omit<TrackListOptions, 'limit'>): WholeListSpec<TrackRow, TrackT> {
  return { query: trackQuery(opts), hydrate: trackHydrate(opts.viewer), toItem: toTrack }
}

export interface TrackStateChange {
  isFavorite?: boolean
  // null clears the rating.
  rating?: number | null
}

// The user's row of the track is made on their first change (the table's defaults for what the
// change leaves out) and then changed in place; only the fields given are written. A track
// that is not in `tracks` is refused (null): the row is made only from a tracks row.
export async function updateTrackState (db: Queryable, user: string, id: string, change: TrackStateChange): Promise<TrackT | null> {
  const values: unknown[] = [user, id]
  const fields: Array<{ column: string, value: string }> = []
  // Written along with is_favorite, never compared: a favourite set again keeps its first time.
  const starred: Array<{ column: string, value: string, update: string }> = []
  if (change.isFavorite !== undefined) {
    values.push(change.isFavorite)
    fields.push({ column: 'is_favorite', value: `$${values.length}::boolean` })
    starred.push({
      column: 'starred_at',
      value: `CASE WHEN $${values.length}::boolean THEN now() END`,
      update: 'CASE WHEN EXCLUDED.is_favorite THEN coalesce(user_track_state.starred_at, now()) END'
    })
  }
  if (change.rating !== undefined) {
    values.push(change.rating)
    fields.push({ column: 'rating', value: `$${values.length}::smallint` })
  }
  if (fields.length === 0) return findTrackById(db, user, id)
  const inserted = [...fields, ...starred]
  const updates = [...fields.map((f) => `${f.column} = EXCLUDED.${f.column}`), ...starred.map((f) => `${f.column} = ${f.update}`)]
  // A value set to what it already is writes nothing, so it moves no cache (sql/013).
  await db.query(
    `INSERT INTO user_track_state (user_id, track_id, ${inserted.map((f) => f.column).join(', ')})
     SELECT $1::uuid, t.id, ${inserted.map((f) => f.value).join(', ')} FROM tracks t WHERE t.id = $2::uuid
     ON CONFLICT (user_id, track_id) DO UPDATE SET ${updates.join(', ')}
     WHERE (${fields.map((f) => `user_track_state.${f.column}`).join(', ')}, true) IS DISTINCT FROM (${fields.map((f) => `EXCLUDED.${f.column}`).join(', ')}, true)`,
    values)
  // null: no such track (nothing was written then either).
  return await findTrackById(db, user, id)
}

// A play at `at` (now when not given): one more play, and last_played moves to `at` unless a
// later play is already stored, so a scrobble sent late for an old play keeps the newer time.
export async function recordPlay (db: Queryable, user: string, id: string, at?: Date): Promise<TrackT | null> {
  const { rowCount } = await db.query(
    `INSERT INTO user_track_state (user_id, track_id, play_count, last_played)
     SELECT $1::uuid, t.id, 1, coalesce($3::timestamptz, now()) FROM tracks t WHERE t.id = $2::uuid
     ON CONFLICT (user_id, track_id) DO UPDATE
     SET play_count = user_track_state.play_count + 1,
         last_played = greatest(user_track_state.last_played, EXCLUDED.last_played)`,
    [user, id, at ?? null])
  return rowCount === 0 ? null : findTrackById(db, user, id)
}
