// Ids a client names, checked against the library before anything changes: a call that names
// one unknown item changes nothing and answers 70. An id that is not a UUID names nothing, and
// is never sent to the database, which would refuse it as malformed rather than not found.
import type { TrackT } from '../../schemas/library.js'
import type { LibraryView } from '../library/library-service.js'
import { notFound } from './errors.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export const isId = (id: string): boolean => UUID.test(id)

// The database writes uuids in lower case; a client may send them otherwise.
export const normalised = (ids: string[]): string[] => ids.map((id) => id.toLowerCase())

export type Kind = 'song' | 'album' | 'artist'

// The tracks of `ids`, in order and with repeats, or 70 for the first unknown one.
export async function tracksOrNotFound (library: LibraryView, ids: string[]): Promise<TrackT[]> {
  const wanted = normalised(ids)
  const unknownFormat = wanted.find((id) => !isId(id))
  if (unknownFormat !== undefined) throw notFound(`Song ${unknownFormat}`)
  const tracks = await library.tracks.byIds(wanted)
  if (tracks.length < wanted.length) {
    const found = new Set(tracks.map((t) => t.id))
    throw notFound(`Song ${wanted.find((id) => !found.has(id)) as string}`)
  }
  return tracks
}

export async function albumsExist (library: LibraryView, ids: string[]): Promise<void> {
  for (const id of ids) {
    if (!isId(id) || await library.albums.byId(id) === null) throw notFound(`Album ${id}`)
  }
}

export async function artistsExist (library: LibraryView, ids: string[]): Promise<void> {
  for (const id of ids) {
    if (!isId(id) || await library.artists.byId(id) === null) throw notFound(`Artist ${id}`)
  }
}

// What an id of any kind names: Subsonic's older methods (star, setRating) take one `id` for a
// song, an album folder or an artist folder alike. null: nothing.
export async function kindOf (library: LibraryView, id: string): Promise<Kind | null> {
  if (!isId(id)) return null
  if ((await library.tracks.byIds([id])).length > 0) return 'song'
  if (await library.albums.byId(id) !== null) return 'album'
  if (await library.artists.byId(id) !== null) return 'artist'
  return null
}
