// Albums with their aggregates (track count, duration, genres), stored by sql/017's triggers.
import type { AlbumSort, AlbumT } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'
import type { Queryable } from '../db/queryable.js'
import { coverUrl } from './track-row.js'
import { iso } from '../iso-time.js'
import { Params, containsEveryWord, whereClause, type PageWindow } from '../db/sql-parts.js'
import type { ListCache } from '../db/list-cache.js'
import { listPage, rowsByIds, type Hydrate, type PageQuery, type Paged } from '../db/paged.js'
import type { WholeListSpec } from './whole-list.js'

// Also the orders of Subsonic's alphabetical album lists (picks-repository.ts), so both APIs agree.
export const ALBUM_ORDERS: Record<AlbumSort, readonly string[]> = {
  title: ['al.sort_key', 'al.id'],
  artist: ['ar.sort_key', 'al.sort_key', 'al.id'],
  year: ['al.year', 'al.id'],
  recent: ['al.created_at', 'al.id']
}

// What the 'artist' order reads its album artist's sort key from.
export const ALBUMS_WITH_ARTIST = 'albums al JOIN artists ar ON ar.id = al.artist_id'

export const ALBUM_COLUMNS = `
  al.id, al.title, al.album_artist, al.artist_id, al.year, al.compilation, al.created_at,
  (al.cover_source IS NOT NULL) AS has_cover, al.track_count, al.total_duration, al.genres`

export interface AlbumRow {
  id: string
  title: string
  album_artist: string
  artist_id: string
  year: number | null
  compilation: boolean
  created_at: Date | string
  has_cover: boolean
  track_count: number
  total_duration: number
  genres: string[]
}

export function toAlbum (row: AlbumRow): AlbumT {
  return {
    id: row.id,
    title: row.title,
    artist: row.album_artist,
    artistId: row.artist_id,
    year: row.year,
    genres: row.genres,
    trackCount: row.track_count,
    totalDuration: row.total_duration,
    coverArt: coverUrl(row.id, row.has_cover),
    compilation: row.compilation,
    addedAt: iso(row.created_at)
  }
}

export interface AlbumFilter {
  artistId?: string
  genre?: string
  year?: number
  q?: string
}

export interface AlbumListOptions extends PageWindow, AlbumFilter {
  sort: AlbumSort
  order: SortOrder
}

export function albumConditions (filter: AlbumFilter, params: Params): string[] {
  const where: string[] = []
  if (filter.artistId !== undefined) where.push(`al.artist_id = ${params.add(filter.artistId)}`)
  if (filter.genre !== undefined) {
    where.push(`al.genres @> ARRAY[${params.add(filter.genre)}]::text[]`)
  }
  if (filter.year !== undefined) where.push(`al.year = ${params.add(filter.year)}`)
  if (filter.q !== undefined) where.push(...containsEveryWord('al.search_key', filter.q, params))
  return where
}

const ALBUM_HYDRATE: Hydrate = { columns: ALBUM_COLUMNS, from: () => 'albums al', id: 'al.id' }

function albumQuery (opts: Omit<AlbumListOptions, 'limit'>): Omit<PageQuery, 'limit'> {
  const params = new Params()
  const where = whereClause(albumConditions(opts, params))
  const from = opts.sort === 'artist' ? ALBUMS_WITH_ARTIST : 'albums al'
  return { from, where, values: params.values, columns: ALBUM_ORDERS[opts.sort], id: 'al.id', order: opts.order, offset: opts.offset }
}

export async function listAlbums (db: Queryable, cache: ListCache, opts: AlbumListOptions): Promise<Paged<AlbumT>> {
  const { rows, total } = await listPage<AlbumRow>(db, cache, { ...albumQuery(opts), limit: opts.limit }, ALBUM_HYDRATE)
  return { rows: rows.map(toAlbum), total }
}

// The same list as listAlbums, whole (limit=-1).
export function wholeAlbums (opts: Omit<AlbumListOptions, 'limit'>): WholeListSpec<AlbumRow, AlbumT> {
  return { query: albumQuery(opts), hydrate: ALBUM_HYDRATE, toItem: toAlbum }
}

export async function albumsByIds (db: Queryable, ids: string[]): Promise<AlbumT[]> {
  return (await rowsByIds<AlbumRow>(db, ALBUM_HYDRATE, ids)).map(toAlbum)
}

export async function findAlbumById (db: Queryable, id: string): Promise<AlbumT | null> {
  const { rows } = await db.query<AlbumRow>(
    `SELECT ${ALBUM_COLUMNS} FROM albums al WHERE al.id = $1`, [id])
  return rows.length === 0 ? null : toAlbum(rows[0])
}

export async function albumExists (db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM albums WHERE id = $1', [id])
  return rows.length > 0
}

export async function findCoverSource (db: Queryable, albumId: string): Promise<{ coverSource: string | null } | null> {
  const { rows } = await db.query<{ cover_source: string | null }>('SELECT cover_source FROM albums WHERE id = $1', [albumId])
  return rows.length === 0 ? null : { coverSource: rows[0].cover_source }
}
