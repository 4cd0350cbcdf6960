import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { AlbumList, Artist, ArtistList, ArtistListQuery, PagingOnlyQuery, TrackList } from '../../schemas/library.js'
import { artistExists, findArtistById, listArtists } from '../../lib/library/artist-repo.js'
import { listAlbums } from '../../lib/library/album-repo.js'
import { listTracks } from '../../lib/library/track-repo.js'

const artists: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/artists', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'List artists',
      description: 'Pages of artists in a stable order (ties broken by id).',
      querystring: ArtistListQuery,
      response: { 200: Type.Ref(ArtistList), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request) => {
    const { limit, offset, sort = 'name', order = 'asc', q } = request.query
    const { items, total } = await listArtists(fastify.pg, { limit, offset, sort, order, q }, fastify.libraryCache)
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
  }, async (request) => {
    const { id } = request.params
    const { limit, offset } = request.query
    const { items, total } = await listAlbums(fastify.pg, { artistId: id, limit, offset, sort: 'year', order: 'asc' }, fastify.libraryCache)
    if (total === 0 && !(await artistExists(fastify.pg, id))) throw fastify.httpErrors.notFound(`Artist ${id} not found`)
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
  }, async (request) => {
    const { id } = request.params
    const { limit, offset } = request.query
    const { items, total } = await listTracks(fastify.pg, { artistId: id, limit, offset, sort: 'album', order: 'asc' }, fastify.libraryCache)
    if (total === 0 && !(await artistExists(fastify.pg, id))) throw fastify.httpErrors.notFound(`Artist ${id} not found`)
    return { tracks: items, total, limit, offset }
  })
}

export default artists
