// Lists a Subsonic client asks for by kind rather than by sort (getAlbumList2, getRandomSongs):
// a window of albums picked and ordered one way, or tracks at random. Each ordering ends in the
// id, so a client paging with offset sees every album once (random lists excepted).
import type { AlbumT, TrackT } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'
import type { Queryable } from '../db/queryable.js'
import { binder } from '../db/paged.js'
import { Params, orderBy, whereClause } from '../db/sql-parts.js'
import { ALBUM_COLUMNS, ALBUM_ORDERS, ALBUMS_WITH_ARTIST, albumConditions, toAlbum, type AlbumRow } from './album-repository.js'
import { toTrack, trackHydrate, type TrackRow } from './track-row.js'

export type AlbumPick = 'random' | 'newest' | 'highest' | 'frequent' | 'recent' | 'alphabeticalByName' |
  'alphabeticalByArtist' | 'starred' | 'byYear' | 'byGenre'

// The most a pick returns, and a Subsonic server's usual cap; a size outside 1..MAX_PICK is
// brought inside.
export const MAX_PICK = 500

export interface AlbumPickOptions {
  size: number
  offset: number
  // byYear: both ends included; fromYear > toYear lists the years newest first.
  fromYear?: number
  toYear?: number
  // byGenre: albums with a track of exactly this genre; none without one.
  genre?: string
}

interface PickQuery {
  from: string
  where: string[]
  columns: readonly string[]
  order: SortOrder
}

// The user's plays of each album they played: the sum of its tracks' plays, and the latest.
function albumPlays (user: string): string {
  return `albums al JOIN (
    SELECT t.album_id, sum(us.play_count) AS play_count, max(us.last_played) AS last_played
    FROM user_track_state us JOIN tracks t ON t.id = us.track_id
    WHERE us.user_id = ${user}::uuid AND us.play_count > 0 GROUP BY t.album_id
  ) p ON p.album_id = al.id`
}

function yearRange (column: string, from: number | undefined, to: number | undefined, params: Params): string[] {
  const [low, high] = from !== undefined && to !== undefined && from > to ? [to, from] : [from, to]
  return [
    ...(low === undefined ? [] : [`${column} >= ${params.add(low)}`]),
    ...(high === undefined ? [] : [`${column} <= ${params.add(high)}`])
  ]
}

const PICKS: Record<AlbumPick, (opts: AlbumPickOptions, user: string, params: Params) => PickQuery> = {
  random: () => ({ from: 'albums al', where: [], columns: ['random()'], order: 'asc' }),
  newest: () => ({ from: 'albums al', where: [], columns: ALBUM_ORDERS.recent, order: 'desc' }),
  highest: (_, user, params) => ({
    from: `albums al JOIN user_album_state s ON s.album_id = al.id AND s.user_id = ${params.add(user)}::uuid`,
    where: ['s.rating IS NOT NULL'],
    columns: ['s.rating', 'al.id'],
    order: 'desc'
  }),
  frequent: (_, user, params) => ({ from: albumPlays(params.add(user)), where: [], columns: ['p.play_count', 'al.id'], order: 'desc' }),
  recent: (_, user, params) => ({ from: albumPlays(params.add(user)), where: ['p.last_played IS NOT NULL'], columns: ['p.last_played', 'al.id'], order: 'desc' }),
  alphabeticalByName: () => ({ from: 'albums al', where: [], columns: ALBUM_ORDERS.title, order: 'asc' }),
  alphabeticalByArtist: () => ({ from: ALBUMS_WITH_ARTIST, where: [], columns: ALBUM_ORDERS.artist, order: 'asc' }),
  starred: (_, user, params) => ({
    from: `albums al JOIN user_album_state s ON s.album_id = al.id AND s.user_id = ${params.add(user)}::uuid`,
    where: ['s.starred_at IS NOT NULL'],
    columns: ['s.starred_at', 'al.id'],
    order: 'desc'
  }),
  byYear: (opts, _, params) => ({
    from: 'albums al',
    where: yearRange('al.year', opts.fromYear, opts.toYear, params),
    columns: ALBUM_ORDERS.year,
    order: opts.fromYear !== undefined && opts.toYear !== undefined && opts.fromYear > opts.toYear ? 'desc' : 'asc'
  }),
  byGenre: (opts, _, params) => ({
    from: 'albums al',
    // The /api album list's genre filter.
    where: opts.genre === undefined ? ['false'] : albumConditions({ genre: opts.genre }, params),
    columns: ALBUM_ORDERS.title,
    order: 'asc'
  })
}

const pickSize = (size: number): number => Math.min(Math.max(Math.trunc(size), 1), MAX_PICK)

// The page's ids (and sort keys) first, then only the albums shown are read.
export async function pickAlbums (db: Queryable, user: string, kind: AlbumPick, opts: AlbumPickOptions): Promise<AlbumT[]> {
  const params = new Params()
  const q = PICKS[kind](opts, user, params)
  const keys = q.columns.map((c, i) => `${c} AS k${i}`).join(', ')
  const { rows } = await db.query<AlbumRow>(
    `SELECT ${ALBUM_COLUMNS}
     FROM (SELECT al.id, ${keys} FROM ${q.from} ${whereClause(q.where)}
           ORDER BY ${orderBy(q.columns.map((_, i) => `k${i}`), q.order)}
           LIMIT ${params.add(pickSize(opts.size))} OFFSET ${params.add(Math.max(0, Math.trunc(opts.offset)))}) page
     JOIN albums al ON al.id = page.id
     ORDER BY ${orderBy(q.columns.map((_, i) => `page.k${i}`), q.order)}`,
    params.values)
  return rows.map(toAlbum)
}

export interface RandomTracksOptions {
  size: number
  genre?: string
  // Both ends included, in either order.
  fromYear?: number
  toYear?: number
}

export async function randomTracks (db: Queryable, user: string, opts: RandomTracksOptions): Promise<TrackT[]> {
  const params = new Params()
  const where = [
    ...(opts.genre === undefined ? [] : [`t.genres @> ARRAY[${params.add(opts.genre)}]::text[]`]),
    ...yearRange('t.year', opts.fromYear, opts.toYear, params)
  ]
  const limit = params.add(pickSize(opts.size))
  const values = params.values
  const hydrate = trackHydrate(user)
  const { rows } = await db.query<TrackRow>(
    `SELECT ${hydrate.columns}
     FROM (SELECT t.id, random() AS k FROM tracks t ${whereClause(where)} ORDER BY k LIMIT ${limit}) page
     JOIN ${hydrate.from(binder(values))} ON t.id = page.id
     ORDER BY page.k`,
    values)
  return rows.map(toTrack)
}
