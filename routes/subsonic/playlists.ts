// Playlists: the same playlists as /api/library/playlists, through the same service, so a list
// made in one app shows in every other. A user sees their own and the public ones, and changes
// only their own; another user's private playlist does not exist for them (70), and a change to
// another user's public one is refused (50).
import type { FastifyPluginAsync } from 'fastify'
import { method } from './method.js'
import { CODES, SubsonicError } from '../../lib/subsonic/errors.js'
import {
  checkedComment, checkedName, editedTrackIds, playlistCall, playlistId, playlistNode, playlistWithSongs, songIds, totalSeconds
} from '../../lib/subsonic/playlist-model.js'

const playlists: FastifyPluginAsync = async (fastify) => {
  const service = fastify.playlists

  // `username` narrows the list to that user's playlists among those the caller sees: an admin
  // sees another user's public ones, never their private ones (a playlist is a person's).
  method(fastify, 'getPlaylists', async ({ params, caller, library }) => {
    const username = params.string('username')
    const me = await fastify.users.nameOf(caller)
    const other = username !== undefined && username !== '' && username.toLowerCase() !== me.toLowerCase()
    if (other && caller.role !== 'admin') throw new SubsonicError(CODES.notAuthorized, 'Only an admin may list another user\'s playlists')
    const visible = await service.list(caller)
    const shown = other ? visible.filter((p) => p.owner.username?.toLowerCase() === username.toLowerCase()) : visible
    const durations = await library.tracks.durations(shown.flatMap((p) => p.trackIds))
    return { playlists: { playlist: shown.map((p) => playlistNode(p, caller, totalSeconds(p.trackIds, durations))) } }
  })

  method(fastify, 'getPlaylist', async ({ params, caller, library }) => {
    const playlist = await playlistCall(async () => await service.get(caller, playlistId(params.required('id'))))
    return { playlist: await playlistWithSongs(library, playlist, caller) }
  })

  // With playlistId, the songs of that playlist are replaced (and its name, when given).
  method(fastify, 'createPlaylist', async ({ params, caller, library }) => {
    const existing = params.string('playlistId')
    const name = checkedName(existing === undefined || existing === '' ? params.required('name') : params.string('name'))
    const trackIds = songIds(params.all('songId'))
    const playlist = await playlistCall(async () => existing === undefined || existing === ''
      ? await service.create(caller, { name: name as string, trackIds })
      : await service.update(caller, playlistId(existing), { name: name === '' ? undefined : name, trackIds }))
    return { playlist: await playlistWithSongs(library, playlist, caller) }
  })

  method(fastify, 'updatePlaylist', async ({ params, caller }) => {
    const id = playlistId(params.required('playlistId'))
    const name = checkedName(params.string('name'))
    // An emptied comment is no comment.
    const comment = checkedComment(params.string('comment'))
    const description = comment === '' ? null : comment
    const isPublic = params.has('public') ? params.bool('public', false) : undefined
    const indexes = params.all('songIndexToRemove')
    const added = songIds(params.all('songIdToAdd'))
    await playlistCall(async () => {
      // Indexes are places in the list as it is now: read it, then write the whole new list,
      // which keeps entries hidden while their track is missing where they were.
      const trackIds = indexes.length + added.length === 0
        ? undefined
        : editedTrackIds((await service.get(caller, id)).trackIds, indexes, added)
      await service.update(caller, id, { name: name === '' ? undefined : name, description, public: isPublic, trackIds })
    })
    return {}
  })

  method(fastify, 'deletePlaylist', async ({ params, caller }) => {
    const id = playlistId(params.required('id'))
    await playlistCall(async () => { await service.remove(caller, id) })
    return {}
  })
}

export default playlists
