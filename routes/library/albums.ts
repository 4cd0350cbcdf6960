import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Album, AlbumList, AlbumListQuery, PagingOnlyQuery, TrackList } from '../../schemas/library.js'
import { albumExists, findAlbumById, listAlbums } from '../../lib/library/album-repo.js'
import { listTracks } from '../../lib/library/track-repo.js'

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
  }, async (request) => {
    const { limit, offset, sort = 'title', order, ...filter } = request.query
    const { items, total } = await listAlbums(fastify.pg, {
      ...filter, limit, offset, sort, order: order ?? (sort === 'recent' ? 'desc' : 'asc')
    }, fastify.libraryCache)
    return { albums: items, total, limit, offset }
  })

  fastify.get('/albums/:id', {
    schema: {
      tags: ['library'],
      summary: 'One album',
      params: IdParams,
      response: { 200: Type.Ref(Album), ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const album = await findAlbumById(fastify.pg, request.params.id)
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
  }, async (request) => {
    const { id } = request.params
    const { limit, offset } = request.query
    const { items, total } = await listTracks(fastify.pg, { albumId: id, limit, offset, sort: 'trackNumber', order: 'asc' }, fastify.libraryCache)
    if (total === 0 && !(await albumExists(fastify.pg, id))) throw fastify.httpErrors.notFound(`Album ${id} not found`)
    return { tracks: items, total, limit, offset }
  })
}

export default albums
