import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Album, AlbumList, AlbumListQuery, PagingOnlyQuery, Track, TrackList } from '../../schemas/library.js'
import { WHOLE_LIMIT } from '../../lib/library/whole-list.js'

const AlbumRef = Type.Ref(Album)

const albums: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/albums', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'List albums',
      description: 'Pages of albums in a stable order (ties broken by id). Filters combine with AND.',
      querystring: AlbumListQuery,
      response: { 200: Type.Ref(AlbumList), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request, reply) => {
    const { limit, offset, ...asked } = request.query
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'albums', spec: fastify.libraryFor(request).albums.whole({ ...asked, offset }), itemSchema: AlbumRef })
    const { rows, total } = await fastify.libraryFor(request).albums.list({ ...asked, limit, offset })
    return { albums: rows, total, limit, offset }
  })

  fastify.get('/albums/:id', {
    schema: {
      tags: ['library'],
      summary: 'One album',
      params: IdParams,
      response: { 200: Type.Ref(Album), ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const album = await fastify.libraryFor(request).albums.byId(request.params.id)
    if (album === null) throw fastify.httpErrors.notFound(`Album ${request.params.id} not found`)
    return album
  })

  fastify.get('/albums/:id/tracks', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'An album\'s tracks, in disc/track order',
      params: IdParams,
      querystring: PagingOnlyQuery,
      response: { 200: Type.Ref(TrackList), 304: NotModified, ...errors(400, 404, 503) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    const { limit, offset } = request.query
    const notFound = `Album ${id} not found`
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: fastify.libraryFor(request).albums.wholeTracks(id, { offset }), itemSchema: Type.Ref(Track), notFound })
    }
    const page = await fastify.libraryFor(request).albums.tracks(id, { limit, offset })
    if (page === null) throw fastify.httpErrors.notFound(notFound)
    return { tracks: page.rows, total: page.total, limit, offset }
  })
}

export default albums
