import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { create as contentDisposition } from 'content-disposition'
import { IdParams, errors } from '../../schemas/common.js'
import {
  MAX_PLAYLIST_ENTRIES, Playlist, PlaylistCreate, PlaylistList, PlaylistListQuery, PlaylistPatch, PlaylistTracksBody
} from '../../schemas/playlist.js'

const PlaylistRef = Type.Ref(Playlist)
const M3U_TYPE = 'audio/x-mpegurl'

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
      description: 'Every playlist, each with its whole trackIds, by name. `type` filters; an empty `type=` means every type.',
      querystring: PlaylistListQuery,
      response: { 200: Type.Ref(PlaylistList), ...errors(400, 503) }
    }
  }, async (request) => {
    const type = request.query.type
    return { playlists: await fastify.playlists.list(type === '' ? undefined : type) }
  })

  fastify.post('/playlists', {
    schema: {
      tags: ['library'],
      summary: 'Create a playlist',
      description: 'trackIds keep their order, repeats included; every id must be a track in the library, ' +
        'otherwise nothing is created and the 400 names the unknown ids. `rules` only with type SMART, ' +
        '`snapshotDate` only with HISTORY_SNAPSHOT (which gets the creation time when none is given).',
      body: PlaylistCreate,
      response: { 201: PlaylistRef, ...errors(400, 415, 503) }
    }
  }, async (request, reply) => reply.code(201).send(await fastify.playlists.create(request.body)))

  fastify.get('/playlists/:id', {
    schema: {
      tags: ['library'],
      summary: 'One playlist',
      params: IdParams,
      response: { 200: PlaylistRef, ...errors(400, 404, 503) }
    }
  }, async (request) => fastify.playlists.get(request.params.id))

  fastify.get('/playlists/:id.m3u8', {
    schema: {
      tags: ['library'],
      summary: 'A playlist as an .m3u8 file',
      description: 'Extended M3U in UTF-8: `#EXTM3U`, `#PLAYLIST:<name>`, then `#EXTINF:<seconds>,<artist> - <title>` ' +
        'and the track\'s path relative to the media folder, for each track in order (-1 seconds when unknown). ' +
        'Put the file at the top of the media folder and a scan imports it back as the same list of tracks.',
      params: IdParams,
      produces: [M3U_TYPE],
      response: {
        200: { description: 'The playlist file, as an attachment named after the playlist', content: { [M3U_TYPE]: { schema: Type.String() } } },
        ...errors(400, 404, 503)
      }
    }
  }, async (request, reply) => {
    const { name, body } = await fastify.playlists.exportM3u(request.params.id)
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
        'track is back. A playlist imported from an .m3u file can be edited; a change to the file replaces the edits.',
      params: IdParams,
      body: PlaylistPatch,
      response: { 200: PlaylistRef, ...errors(400, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.update(request.params.id, request.body))

  fastify.delete('/playlists/:id', {
    schema: {
      tags: ['library'],
      summary: 'Delete a playlist',
      description: 'A playlist imported from an .m3u file is not imported again until the file changes.',
      params: IdParams,
      response: { 204: { description: 'Deleted', type: 'null' }, ...errors(400, 404, 503) }
    }
  }, async (request, reply) => {
    await fastify.playlists.remove(request.params.id)
    return reply.code(204).send()
  })

  fastify.post('/playlists/:id/tracks', {
    schema: {
      tags: ['library'],
      summary: 'Append tracks to a playlist',
      description: `Appends in the order given, repeats included. Every id must be a track in the library. A playlist holds at most ${MAX_PLAYLIST_ENTRIES} entries.`,
      params: IdParams,
      body: PlaylistTracksBody,
      response: { 200: PlaylistRef, ...errors(400, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.addTracks(request.params.id, request.body.trackIds))

  fastify.delete('/playlists/:id/tracks', {
    schema: {
      tags: ['library'],
      summary: 'Remove tracks from a playlist',
      description: 'Removes every occurrence of each given id (to drop one of several, PATCH the whole trackIds), ' +
        'including entries hidden because the track is missing from the library. An id that is neither a track ' +
        'nor in the playlist is a 400; a track that is not in the playlist changes nothing.',
      params: IdParams,
      body: PlaylistTracksBody,
      response: { 200: PlaylistRef, ...errors(400, 404, 415, 503) }
    }
  }, async (request) => fastify.playlists.removeTracks(request.params.id, request.body.trackIds))
}

export default playlists
