// Artists with their counts, genres and an image (one of their album covers), stored by sql/017's triggers.
import type { ArtistSort, ArtistT } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'
import type { Queryable } from '../db/queryable.js'
import { iso } from '../iso-time.js'
import { Params, containsEveryWord, whereClause, type PageWindow } from '../db/sql-parts.js'
import type { ListCache } from '../db/list-cache.js'
import { listPage, rowsByIds, type Hydrate, type PageQuery, type Paged } from '../db/paged.js'
import type { WholeListSpec } from './whole-list.js'

export const ARTIST_COLUMNS = 'a.id, a.name, a.created_at, a.track_count, a.album_count, a.genres, a.image_album_id'

export interface ArtistRow {
  id: string
  name: string
  created_at: Date | string
  track_count: number
  album_count: number
  genres: string[]
  image_album_id: string | null
}

export function toArtist (row: ArtistRow): ArtistT {
  return {
    id: row.id,
    name: row.name,
    trackCount: row.track_count,
    albumCount: row.album_count,
    genres: row.genres,
    imageUrl: row.image_album_id === null ? null : `/api/cover/${row.image_album_id}`,
    addedAt: iso(row.created_at)
  }
}

export interface ArtistListOptions extends PageWindow {
  sort: ArtistSort
  order: SortOrder
  q?: string
}

const ARTIST_ORDERS: Record<ArtistSort, { from: string, columns: readonly string[] }> = {
  name: { from: 'artists a', columns: ['a.sort_key', 'a.id'] },
  trackCount: { from: 'artists a', columns: ['a.track_count', 'a.id'] }
}

const ARTIST_HYDRATE: Hydrate = { columns: ARTIST_COLUMNS, from: () => 'artists a', id: 'a.id' }

function artistQuery (opts: Omit<ArtistListOptions, 'limit'>): Omit<PageQuery, 'limit'> {
  const params = new Params()
  const where = whereClause(opts.q === undefined ? [] : containsEveryWord('a.name_key', opts.q, params))
  const { from, columns } = ARTIST_ORDERS[opts.sort]
  return { from, where, values: params.values, columns, id: 'a.id', order: opts.order, offset: opts.offset }
}

export async function listArtists (db: Queryable, cache: ListCache, opts: ArtistListOptions): Promise<Paged<ArtistT>> {
  const { rows, total } = await listPage<ArtistRow>(db, cache, { ...artistQuery(opts), limit: opts.limit }, ARTIST_HYDRATE)
  return { rows: rows.map(toArtist), total }
}

// The same list as listArtists, whole (limit=-1).
export function wholeArtists (opts: Omit<ArtistListOptions, 'limit'>): WholeListSpec<ArtistRow, ArtistT> {
  return { query: artistQuery(opts), hydrate: ARTIST_HYDRATE, toItem: toArtist }
}

export async function artistsByIds (db: Queryable, ids: string[]): Promise<ArtistT[]> {
  return (await rowsByIds<ArtistRow>(db, ARTIST_HYDRATE, ids)).map(toArtist)
}

export async function findArtistById (db: Queryable, id: string): Promise<ArtistT | null> {
  const { rows } = await db.query<ArtistRow>(`SELECT ${ARTIST_COLUMNS} FROM artists a WHERE a.id = $1`, [id])
  return rows.length === 0 ? null : toArtist(rows[0])
}

export async function artistExists (db: Queryable, id: string): Promise<boolean> {
  const { rows } = await db.query('SELECT 1 FROM artists WHERE id = $1', [id])
  return rows.length > 0
}
