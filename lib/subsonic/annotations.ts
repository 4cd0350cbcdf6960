// star, unstar, setRating and scrobble: what they name, checked whole first, then written as
// the caller's own state.
import type { TrackT } from '../../schemas/library.js'
import type { LibraryView } from '../library/library-service.js'
import { CODES, SubsonicError, notFound } from './errors.js'
import type { Params } from './params.js'
import { albumsExist, artistsExist, isId, kindOf, normalised, tracksOrNotFound } from './known-items.js'

// Stars, ratings and plays arrive a few at a time (a selection, an offline queue); past this a
// call is not an app's but an attempt to keep the database busy for everyone.
export const MAX_ANNOTATED = 1000

function annotated (params: Params, name: string): string[] {
  const ids = params.all(name)
  if (ids.length > MAX_ANNOTATED) throw new SubsonicError(CODES.generic, `Parameter '${name}' may be given at most ${MAX_ANNOTATED} times`)
  return normalised(ids)
}

const distinct = (ids: string[]): string[] => [...new Set(ids)]

export interface StarTargets {
  songs: string[]
  albums: string[]
  artists: string[]
}

// `id` is a song for the ID3 apps but any folder for the folder-style ones (DSub stars an album
// folder by `id`), so each is placed by what it names; albumId and artistId are what they say.
export async function starTargets (library: LibraryView, params: Params): Promise<StarTargets> {
  const targets: StarTargets = { songs: [], albums: distinct(annotated(params, 'albumId')), artists: distinct(annotated(params, 'artistId')) }
  const ids = distinct(annotated(params, 'id'))
  // Most are songs: those are found in one query, the rest one by one.
  const songs = new Set((await library.tracks.byIds(ids.filter(isId))).map((track) => track.id))
  for (const id of ids) {
    const kind = songs.has(id) ? 'song' : await kindOf(library, id)
    if (kind === null) throw notFound(`Item ${id}`)
    const list = kind === 'song' ? targets.songs : kind === 'album' ? targets.albums : targets.artists
    list.push(id)
  }
  await albumsExist(library, targets.albums)
  await artistsExist(library, targets.artists)
  if (targets.songs.length + targets.albums.length + targets.artists.length === 0) {
    throw new SubsonicError(CODES.missingParameter, "Required parameter 'id', 'albumId' or 'artistId' is missing")
  }
  return targets
}

// One at a time: a call holds one database connection, however many items it names.
export async function setStarred (library: LibraryView, targets: StarTargets, starred: boolean): Promise<void> {
  for (const id of targets.songs) await library.tracks.setState(id, { isFavorite: starred })
  for (const id of targets.albums) await library.albums.setState(id, { starred })
  for (const id of targets.artists) await library.artists.setState(id, { starred })
}

// Subsonic's rating 0 means "no rating".
export async function rate (library: LibraryView, id: string, stars: number): Promise<void> {
  const wanted = id.toLowerCase()
  const rating = stars === 0 ? null : stars
  const kind = await kindOf(library, wanted)
  const written = kind === 'song'
    ? await library.tracks.setState(wanted, { rating }) !== null
    : kind === 'album'
      ? await library.albums.setState(wanted, { rating })
      : kind === 'artist' && await library.artists.setState(wanted, { rating })
  if (!written) throw notFound(`Item ${id}`)
}

export interface Scrobbles {
  tracks: TrackT[]
  // When each was played, for a submission; one per track.
  times: Date[]
}

const invalidTime = (why: string): SubsonicError => new SubsonicError(CODES.generic, `Parameter 'time' ${why}`)

// `time` is optional, but given, it is one per `id` (milliseconds since the epoch). A time ahead
// of the server's clock is a client's clock running fast: the play happened now.
export async function scrobbles (library: LibraryView, params: Params, now: Date): Promise<Scrobbles> {
  const ids = annotated(params, 'id')
  if (ids.length === 0) params.required('id')
  const given = params.all('time')
  if (given.length > 0 && given.length !== ids.length) throw invalidTime('must be given once for each id, or not at all')
  const times = ids.map((_, i) => {
    const text = given[i]
    if (text === undefined) return now
    if (!/^\d{1,16}$/.test(text)) throw invalidTime('must be milliseconds since 1970')
    return new Date(Math.min(Number(text), now.getTime()))
  })
  return { tracks: await tracksOrNotFound(library, ids), times }
}
