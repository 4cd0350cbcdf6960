// Subsonic's playlists are the playlists of /api, read and changed through the playlist service
// (lib/playlists): its owner and visibility rules hold here as they do there. This file turns
// them into Subsonic nodes, and the service's refusals into Subsonic codes.
import type { PlaylistT } from '../../schemas/playlist.js'
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../../schemas/playlist.js'
import type { LibraryView } from '../library/library-service.js'
import { PlaylistError } from '../playlists/playlist-service.js'
import type { Caller } from '../users/caller.js'
import { CODES, SubsonicError, notFound } from './errors.js'
import { isId, normalised } from './known-items.js'
import type { SubsonicNode } from './response.js'
import { songs } from './with-state.js'

// Covers are served by album id (getCoverArt); the service names them by URL.
const coverOf = (playlist: PlaylistT): string | undefined => playlist.coverArts[0]?.split('/').pop()

export function playlistNode (playlist: PlaylistT, caller: Caller, seconds: number): SubsonicNode {
  return {
    id: playlist.id,
    name: playlist.name,
    comment: playlist.description,
    // Unnamed only while it is the server's account from before anyone signed up.
    owner: playlist.owner.username ?? undefined,
    public: playlist.public,
    songCount: playlist.trackCount,
    duration: Math.round(seconds),
    created: playlist.createdAt,
    changed: playlist.updatedAt,
    coverArt: coverOf(playlist),
    // OpenSubsonic: tells apps not to offer edits the owner rule would refuse.
    readonly: playlist.owner.id !== caller.userId
  }
}

export function totalSeconds (trackIds: string[], durations: Map<string, number>): number {
  return trackIds.reduce((sum, id) => sum + (durations.get(id) ?? 0), 0)
}

// A playlist with its songs, each with the caller's stars and plays; an empty one has `entry: []`.
export async function playlistWithSongs (library: LibraryView, playlist: PlaylistT, caller: Caller): Promise<SubsonicNode> {
  const tracks = await library.tracks.byIds(playlist.trackIds)
  const seconds = tracks.reduce((sum, track) => sum + track.duration, 0)
  return { ...playlistNode(playlist, caller, seconds), entry: await songs(library, tracks) }
}

// A not-found playlist is one the caller may not see; a refused change is one they see but do
// not own; an unknown song is not found like any other unknown id.
function fromPlaylistError (error: PlaylistError): SubsonicError {
  const message = error.message.replace(/^body\//, '')
  if (error.statusCode === 404) return new SubsonicError(CODES.notFound, message)
  if (error.statusCode === 403) return new SubsonicError(CODES.notAuthorized, message)
  if (error.code === 'UNKNOWN_TRACK_IDS') return new SubsonicError(CODES.notFound, message)
  return new SubsonicError(CODES.generic, message)
}

export async function playlistCall<T> (call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (error) {
    throw error instanceof PlaylistError ? fromPlaylistError(error) : error
  }
}

// The service leaves bad ids, and lengths, to the /api schema; over /rest they are checked here.
export function playlistId (id: string): string {
  if (!isId(id)) throw notFound(`Playlist ${id}`)
  return id.toLowerCase()
}

export function songIds (ids: string[]): string[] {
  const bad = ids.find((id) => !isId(id))
  if (bad !== undefined) throw notFound(`Song ${bad}`)
  return normalised(ids)
}

const tooLong = (name: string, max: number): SubsonicError =>
  new SubsonicError(CODES.generic, `Parameter '${name}' must be at most ${max} characters`)

export function checkedName (name: string | undefined): string | undefined {
  if (name !== undefined && name.length > MAX_NAME_LENGTH) throw tooLong('name', MAX_NAME_LENGTH)
  return name
}

export function checkedComment (comment: string | undefined): string | undefined {
  if (comment !== undefined && comment.length > MAX_DESCRIPTION_LENGTH) throw tooLong('comment', MAX_DESCRIPTION_LENGTH)
  return comment
}

// updatePlaylist's songIndexToRemove are places in the list as the client last saw it, counted
// before any removal; songIdToAdd go at the end, after the removals.
export function editedTrackIds (current: string[], indexes: string[], added: string[]): string[] {
  const removed = new Set<number>()
  for (const text of indexes) {
    const index = /^\d{1,9}$/.test(text) ? Number(text) : -1
    if (index < 0 || index >= current.length) {
      const places = current.length === 0 ? 'none: the playlist is empty' : `0 to ${current.length - 1}`
      throw new SubsonicError(CODES.generic, `Parameter 'songIndexToRemove' must be a place in the playlist (${places})`)
    }
    removed.add(index)
  }
  return [...current.filter((_, i) => !removed.has(i)), ...added]
}
