// Track lists and user state. Rows become Tracks only through track-row.ts.
import type { TrackSort, TrackT } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'
import { TRACK_HYDRATE, findTrackById, toTrack, type TrackRow } from './track-row.js'
import type { Queryable } from '../db/queryable.js'
import { Params, containsEveryWord, whereClause, type PageWindow } from '../db/sql-parts.js'
import type { ListCache } from '../db/list-cache.js'
import { listPage, type PageQuery, type Paged } from '../db/paged.js'
import type { WholeListSpec } from './whole-list.js'

// Each order ends in the primary key, so ties are broken the same way on every page. The
// btree indexes in sql/ have exactly these column lists.
const TRACK_ORDERS: Record<TrackSort, readonly string[]> = {
  title: ['t.sort_key', 't.id'],
  artist: ['t.artist_key', 't.album_key', 't.disc_number', 't.track_number', 't.id'],
  album: ['t.album_key', 't.disc_number', 't.track_number', 't.id'],
  year: ['t.year', 't.id'],
  recent: ['t.added_at', 't.id'],
  duration: ['t.duration', 't.id'],
  trackNumber: ['t.disc_number', 't.track_number', 't.id']
}

export interface TrackFilter {
  artistId?: string
  albumId?: string
  genre?: string
  year?: number
  q?: string
}

export interface TrackListOptions extends PageWindow, TrackFilter {
  sort: TrackSort
  order: SortOrder
}

function trackConditions (filter: TrackFilter, params: Params): string[] {
  const where: string[] = []
  if (filter.artistId !== undefined) where.push(`t.artist_id = ${params.add(filter.artistId)}`)
  if (filter.albumId !== undefined) where.push(`t.album_id = ${params.add(filter.albumId)}`)
  if (filter.genre !== undefined) where.push(`t.genres @> ARRAY[${params.add(filter.genre)}]::text[]`)
  if (filter.year !== undefined) where.push(`t.year = ${params.add(filter.year)}`)
  if (filter.q !== undefined) where.push(...containsEveryWord('t.search_key', filter.q, params))
  return where
}

function trackQuery (opts: Omit<TrackListOptions, 'limit'>): Omit<PageQuery, 'limit'> {
  const params = new Params()
  const where = whereClause(trackConditions(opts, params))
  return { from: 'tracks t', where, values: params.values, columns: TRACK_ORDERS[opts.sort], id: 't.id', order: opts.order, offset: opts.offset }
}

export async function listTracks (db: Queryable, cache: ListCache, opts: TrackListOptions): Promise<Paged<TrackT>> {
  const { rows, total } = await listPage<TrackRow>(db, cache, { ...trackQuery(opts), limit: opts.limit }, TRACK_HYDRATE)
  return { rows: rows.map(toTrack), total }
}

// The same list as listTracks, whole (limit=-1).
export function wholeTracks (opts: Omit<TrackListOptions, 'limit'>): WholeListSpec<TrackRow, TrackT> {
  return { query: trackQuery(opts), hydrate: TRACK_HYDRATE, toItem: toTrack }
}

export interface TrackStateChange {
  isFavorite?: boolean
  // null clears the rating.
  rating?: number | null
}

// Changes only the fields given, in one statement; an empty change just reads the track.
export async function updateTrackState (db: Queryable, id: string, change: TrackStateChange): Promise<TrackT | null> {
  const sets: string[] = []
  const values: unknown[] = [id]
  if (change.isFavorite !== undefined) {
    values.push(change.isFavorite)
    sets.push(`is_favorite = $${values.length}`)
  }
  if (change.rating !== undefined) {
    values.push(change.rating)
    sets.push(`rating = $${values.length}`)
  }
  if (sets.length === 0) return findTrackById(db, id)
  const { rowCount } = await db.query(`UPDATE tracks SET ${sets.join(', ')} WHERE id = $1`, values)
  return rowCount === 0 ? null : findTrackById(db, id)
}

export async function recordPlay (db: Queryable, id: string): Promise<TrackT | null> {
  const { rowCount } = await db.query(
    'UPDATE tracks SET play_count = play_count + 1, last_played = now() WHERE id = $1', [id])
  return rowCount === 0 ? null : findTrackById(db, id)
}
