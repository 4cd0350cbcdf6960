import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Album, AlbumList, AlbumListQuery, PagingOnlyQuery, Track, TrackList } from '../../schemas/library.js'
import { albumExists, findAlbumById, listAlbums, wholeAlbums } from '../../lib/library/album-repository.js'
import { listTracks, wholeTracks } from '../../lib/library/track-repository.js'
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
    const { limit, offset, sort = 'title', order, ...filter } = request.query
    const opts = { ...filter, offset, sort, order: order ?? (sort === 'recent' ? 'desc' as const : 'asc' as const) }
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'albums', spec: wholeAlbums(opts), itemSchema: AlbumRef })
    const { items, total } = await listAlbums(fastify.pg, { ...opts, limit }, fastify.libraryCache)
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
  }, async (request, reply) => {
    const { id } = request.params
    const { limit, offset } = request.query
    const notFound = async (): Promise<void> => {
      if (!(await albumExists(fastify.pg, id))) throw fastify.httpErrors.notFound(`Album ${id} not found`)
    }
    const opts = { albumId: id, offset, sort: 'trackNumber' as const, order: 'asc' as const }
    if (limit === WHOLE_LIMIT) {
      return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: wholeTracks(opts), itemSchema: Type.Ref(Track), ifEmpty: notFound })
    }
    const { items, total } = await listTracks(fastify.pg, { ...opts, limit }, fastify.libraryCache)
    if (total === 0) await notFound()
    return { tracks: items, total, limit, offset }
  })
}

export default albums
