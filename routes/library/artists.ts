import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Album, AlbumList, Artist, ArtistList, ArtistListQuery, PagingOnlyQuery, Track, TrackList } from '../../schemas/library.js'
import { WHOLE_LIMIT } from '../../lib/library/whole-list.js'

const artists: FastifyPluginAsyncTypebox = async (fastify) => {
  const notFound = (id: string): string => `Artist ${id} not found`

  fastify.get('/artists', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'List artists',
      description: 'Pages of artists in a stable order (ties broken by id).',
      querystring: ArtistListQuery,
      response: { 200: Type.Ref(ArtistList), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request, reply) => {
    const { limit, offset, ...asked } = request.query
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'artists', spec: fastify.libraryFor(request).artists.whole({ ...asked, offset }), itemSchema: Type.Ref(Artist) })
    const { rows, total } = await fastify.libraryFor(request).artists.list({ ...asked, limit, offset })
    return { artists: rows, total, limit, offset }
  })

  fastify.get('/artists/:id', {
    schema: {
      tags: ['library'],
      summary: 'One artist',
      params: IdParams,
      response: { 200: Type.Ref(Artist), ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const artist = await fastify.libraryFor(request).artists.byId(request.params.id)
    if (artist === null) throw fastify.httpErrors.notFound(notFound(request.params.id))
    return artist
  })

  fastify.get('/artists/:id/albums', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'The albums whose album artist this is, oldest first',
      params: IdParams,
      querystring: PagingOnlyQuery,
      response: { 200: Type.Ref(AlbumList), 304: NotModified, ...errors(400, 404, 503) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    const { limit, offset } = request.query
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'albums', spec: fastify.libraryFor(request).artists.wholeAlbums(id, { offset }), itemSchema: Type.Ref(Album), notFound: notFound(id) })
    }
    const page = await fastify.libraryFor(request).artists.albums(id, { limit, offset })
    if (page === null) throw fastify.httpErrors.notFound(notFound(id))
    return { albums: page.rows, total: page.total, limit, offset }
  })

  fastify.get('/artists/:id/tracks', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'The artist\'s tracks, by album then disc/track',
      params: IdParams,
      querystring: PagingOnlyQuery,
      response: { 200: Type.Ref(TrackList), 304: NotModified, ...errors(400, 404, 503) }
    }
  }, async (request, reply) => {
    const { id } = request.params
    const { limit, offset } = request.query
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: fastify.libraryFor(request).artists.wholeTracks(id, { offset }), itemSchema: Type.Ref(Track), notFound: notFound(id) })
    }
    const page = await fastify.libraryFor(request).artists.tracks(id, { limit, offset })
    if (page === null) throw fastify.httpErrors.notFound(notFound(id))
    return { tracks: page.rows, total: page.total, limit, offset }
  })
}

export default artists
