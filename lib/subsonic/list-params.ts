// The parameters the browsing, list and search methods share: ids, and the size and offset of
// a window onto a list.
import type { Params } from './params.js'
import { CODES, SubsonicError, notFound } from './errors.js'
import { isId } from './known-items.js'

// The id parameter `name` (10 when missing), as an id the library can look up (70 when it
// cannot be one: the database is never asked about it).
export function idParam (params: Params, what: string, name = 'id'): string {
  const id = params.required(name)
  if (!isId(id)) throw notFound(what)
  // The database writes uuids in lower case; caches keyed by id must not see two spellings.
  return id.toLowerCase()
}

// The most items one call returns; clients that ask for more get this many (as from Subsonic).
export const MAX_WINDOW = 500
const ANY = { min: 0, max: Number.MAX_SAFE_INTEGER }

export function windowSize (params: Params, name: string, fallback: number): number {
  return Math.min(params.int(name, ANY, fallback), MAX_WINDOW)
}

export function windowOffset (params: Params, name: string): number {
  return params.int(name, ANY, 0)
}

export const ALBUM_LIST_TYPES = [
  'random', 'newest', 'highest', 'frequent', 'recent', 'alphabeticalByName', 'alphabeticalByArtist',
  'starred', 'byYear', 'byGenre'
] as const
export type AlbumListType = typeof ALBUM_LIST_TYPES[number]

export interface AlbumListRequest {
  type: AlbumListType
  size: number
  offset: number
  fromYear?: number
  toYear?: number
  genre?: string
}

const YEAR = { min: 0, max: 9999 }

// getAlbumList and getAlbumList2: which albums, and the window onto them.
export function albumListRequest (params: Params): AlbumListRequest {
  const asked = params.required('type')
  const type = ALBUM_LIST_TYPES.find((t) => t === asked)
  if (type === undefined) throw new SubsonicError(CODES.generic, `Unknown album list type '${asked.slice(0, 100)}'`)
  const request: AlbumListRequest = { type, size: windowSize(params, 'size', 10), offset: windowOffset(params, 'offset') }
  if (type === 'byYear') {
    params.required('fromYear')
    params.required('toYear')
    return { ...request, fromYear: params.int('fromYear', YEAR), toYear: params.int('toYear', YEAR) }
  }
  if (type === 'byGenre') return { ...request, genre: params.required('genre') }
  return request
}

// getRandomSongs: how many, and what they may be.
export function randomSongsRequest (params: Params): { size: number, genre?: string, fromYear?: number, toYear?: number } {
  const genre = params.string('genre')
  return {
    size: windowSize(params, 'size', 10),
    genre: genre === '' ? undefined : genre,
    fromYear: params.int('fromYear', YEAR),
    toYear: params.int('toYear', YEAR)
  }
}
