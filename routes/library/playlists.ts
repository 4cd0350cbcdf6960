import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { create as contentDisposition } from 'content-disposition'
import { IdParams, errors } from '../../schemas/common.js'
import type { Caller } from '../../lib/users/caller.js'
import {
  MAX_PLAYLIST_ENTRIES, Playlist, PlaylistCreate, PlaylistList, PlaylistListQuery, PlaylistPatch, PlaylistTracksBody
} from '../../schemas/playlist.js'

const PlaylistRef = Type.Ref(Playlist)
const M3U_TYPE = 'audio/x-mpegurl'
// Routes that need a key always have a caller (plugins/auth.ts).
const callerOf = (request: { caller: Caller | null }): Caller => request.caller as Caller
const NOT_YOURS = 'Another user\'s private playlist is a 404, as if it did not exist.'
const OWNER_ONLY = `Only the playlist's owner can do this: another user's public playlist is a 403. ${NOT_YOURS}`

// A file name for the download: no path separators or control characters, never empty.
function fileName (name: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = name.replace(/[\u0000-\u001f\u007f/\\\s]+/g, ' ').trim().slice(0, 150).trim()
  return `${safe === '' ? 'playlist' : safe}.m3u8`
}

const playlists: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/playlists', {
    schema: {
      tags: ['library'],
      summary: 'List playlists',
      description: 'The caller\'s own playlists and every user\'s public ones, each with its whole trackIds, by name. ' +
        '`type` filters; an empty `type=` means every type.',
      querystring: PlaylistListQuery,
      response: { 200: Type.Ref(PlaylistList), ...errors(400, 503) }
    }
  }, async (request) => {
    const type = request.query.type
    return { playlists: await fastify.playlists.list(callerOf(request), type === '' ? undefined : type) }
  })

  fastify.post('/playlists', {
    schema: {
      tags: ['library'],
      summary: 'Create a playlist',
      description: 'trackIds keep their order, repeats included; every id must be a track in the library, ' +
        'otherwise nothing is created and the 400 names the unknown ids. `rules` only with type SMART, ' +
        '`snapshotDate` only with HISTORY_SNAPSHOT (which gets the creation time when none is given). ' +
        'The playlist belongs to the caller, and is private unless `public` is true.',
      body: PlaylistCreate,
      response: { 201: PlaylistRef, ...errors(400, 415, 503) }
    }
  }, async (request, reply) => reply.code(201).send(await fastify.playlists.create(callerOf(request), request.body)))

  fastify.get('/playlists/:id', {
    schema: {
      tags: ['library'],
      summary: 'One playlist',
      description: `The caller's own or a public one. ${NOT_YOURS}`,
      params: IdParams,
      response: { 200: PlaylistRef, ...errors(400, 404, 503) }
    }
  }, async (request) => fastify.playlists.get(callerOf(request), request.params.id))

  fastify.get('/playlists/:id.m3u8', {
    schema: {
      tags: ['library'],
      summary: 'A playlist as an .m3u8 file',
      description: 'Extended M3U in UTF-8: `#EXTM3U`, `#PLAYLIST:<name>`, then `#EXTINF:<seconds>,<artist> - <title>` ' +
        'and the track\'s path relative to the media folder, for each track in order (-1 seconds when unknown). ' +
        'Put the file at the top of the media folder and a scan imports it back as the same list of tracks. ' +
        `The caller's own playlists and public ones. ${NOT_YOURS}`,
      params: IdParams,
      produces: [M3U_TYPE],
      response: {
        200: { description: 'The playlist file, as an attachment named after the playlist', content: { [M3U_TYPE]: { schema: Type.String() } } },
        ...errors(400, 404, 503)
      }
    }
  }, async (request, reply) => {
    const { name, body } = await fastify.playlists.exportM3u(callerOf(request), request.params.id)
    return reply
      .type(`${M3U_TYPE}; charset=utf-8`)
      .header('content-disposition', contentDisposition(fileName(name)))
      .send(body)
  })

  fastify.patch('/playlists/:id', {
    schema: {
      tags: ['library'],
      summary: 'Rename, describe or reorder a playlist',
      description: 'Changes only the fields sent. `trackIds` replaces the whole list (every id must be a track in ' +
        'the library). Entries hidden because their track is missing from the library are kept: each stays right ' +
        'after the entry that preceded it, or the closest earlier one still in the list, and shows again when its ' +
        'track is back. A playlist imported from an .m3u file can be edited; a change to the file replaces the edits. ' +
        `\`public\` shares it read-only with everyone, or takes it back. ${OWNER_ONLY}`,
      params: IdParams,
      body: PlaylistPatch,
      response: { 200: PlaylistRef, ...errors(400, 403, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.update(callerOf(request), request.params.id, request.body))

  fastify.delete('/playlists/:id', {
    schema: {
      tags: ['library'],
      summary: 'Delete a playlist',
      description: `A playlist imported from an .m3u file is not imported again until the file changes. ${OWNER_ONLY}`,
      params: IdParams,
      response: { 204: { description: 'Deleted', type: 'null' }, ...errors(400, 403, 404, 503) }
    }
  }, async (request, reply) => {
    await fastify.playlists.remove(callerOf(request), request.params.id)
    return reply.code(204).send()
  })

  fastify.post('/playlists/:id/tracks', {
    schema: {
      tags: ['library'],
      summary: 'Append tracks to a playlist',
      description: `Appends in the order given, repeats included. Every id must be a track in the library. A playlist holds at most ${MAX_PLAYLIST_ENTRIES} entries. ${OWNER_ONLY}`,
      params: IdParams,
      body: PlaylistTracksBody,
      response: { 200: PlaylistRef, ...errors(400, 403, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.addTracks(callerOf(request), request.params.id, request.body.trackIds))

  fastify.delete('/playlists/:id/tracks', {
    schema: {
      tags: ['library'],
      summary: 'Remove tracks from a playlist',
      description: 'Removes every occurrence of each given id (to drop one of several, PATCH the whole trackIds), ' +
        'including entries hidden because the track is missing from the library. An id that is neither a track ' +
        `nor in the playlist is a 400; a track that is not in the playlist changes nothing. ${OWNER_ONLY}`,
      params: IdParams,
      body: PlaylistTracksBody,
      response: { 200: PlaylistRef, ...errors(400, 403, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.removeTracks(callerOf(request), request.params.id, request.body.trackIds))
}

export default playlists
