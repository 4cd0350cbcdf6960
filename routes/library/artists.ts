import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Album, AlbumList, Artist, ArtistList, ArtistListQuery, PagingOnlyQuery, Track, TrackList } from '../../schemas/library.js'
import { artistExists, findArtistById, listArtists, wholeArtists } from '../../lib/library/artist-repository.js'
import { listAlbums, wholeAlbums } from '../../lib/library/album-repository.js'
import { listTracks, wholeTracks } from '../../lib/library/track-repository.js'
import { WHOLE_LIMIT } from '../../lib/library/whole-list.js'

const artists: FastifyPluginAsyncTypebox = async (fastify) => {
  // An empty list of an artist that does not exist is a 404.
  const notFound = (id: string) => async (): Promise<void> => {
    if (!(await artistExists(fastify.pg, id))) throw fastify.httpErrors.notFound(`Artist ${id} not found`)
  }

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
    const { limit, offset, sort = 'name', order = 'asc', q } = request.query
    const opts = { offset, sort, order, q }
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'artists', spec: wholeArtists(opts), itemSchema: Type.Ref(Artist) })
    const { items, total } = await listArtists(fastify.pg, { ...opts, limit }, fastify.libraryCache)
    return { artists: items, total, limit, offset }
  })

  fastify.get('/artists/:id', {
    schema: {
      tags: ['library'],
      summary: 'One artist',
      params: IdParams,
      response: { 200: Type.Ref(Artist), ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const artist = await findArtistById(fastify.pg, request.params.id)
    if (artist === null) throw fastify.httpErrors.notFound(`Artist ${request.params.id} not found`)
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
    const opts = { artistId: id, offset, sort: 'year' as const, order: 'asc' as const }
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'albums', spec: wholeAlbums(opts), itemSchema: Type.Ref(Album), ifEmpty: notFound(id) })
    }
    const { items, total } = await listAlbums(fastify.pg, { ...opts, limit }, fastify.libraryCache)
    if (total === 0) await notFound(id)()
    return { albums: items, total, limit, offset }
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
    const opts = { artistId: id, offset, sort: 'album' as const, order: 'asc' as const }
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: wholeTracks(opts), itemSchema: Type.Ref(Track), ifEmpty: notFound(id) })
    }
    const { items, total } = await listTracks(fastify.pg, { ...opts, limit }, fastify.libraryCache)
    if (total === 0) await notFound(id)()
    return { tracks: items, total, limit, offset }
  })
}

export default artists
