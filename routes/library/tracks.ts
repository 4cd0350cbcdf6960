import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Track, TrackList, TrackListQuery, TrackPatch } from '../../schemas/library.js'
import { findTrackById } from '../../lib/library/track-row.js'
import { exactMismatch } from '../../lib/exact-json.js'
import { listTracks, recordPlay, updateTrackState, wholeTracks } from '../../lib/library/track-repository.js'
import { WHOLE_LIMIT } from '../../lib/library/whole-list.js'

const TrackRef = Type.Ref(Track)

const tracks: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/tracks', {
    config: { libraryResponse: true },
    schema: {
      tags: ['library'],
      summary: 'List tracks',
      description: 'Pages of tracks in a stable order (ties broken by id). Filters combine with AND. ' +
        'With albumId and no sort, tracks come in disc/track order. limit=-1 gives the whole list.',
      querystring: TrackListQuery,
      response: { 200: Type.Ref(TrackList), 304: NotModified, ...errors(400, 503) }
    }
  }, async (request, reply) => {
    const { limit, offset, sort, order, ...filter } = request.query
    const effectiveSort = sort ?? (filter.albumId !== undefined ? 'trackNumber' : 'title')
    const effectiveOrder = order ?? (effectiveSort === 'recent' ? 'desc' : 'asc')
    const opts = { ...filter, offset, sort: effectiveSort, order: effectiveOrder }
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: wholeTracks(opts), itemSchema: TrackRef })
    const { items, total } = await listTracks(fastify.pg, { ...opts, limit }, fastify.libraryCache)
    return { tracks: items, total, limit, offset }
  })

  fastify.get('/tracks/:id', {
    schema: {
      tags: ['library'],
      summary: 'One track',
      params: IdParams,
      response: { 200: TrackRef, ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const track = await findTrackById(fastify.pg, request.params.id)
    if (track === null) throw fastify.httpErrors.notFound(`Track ${request.params.id} not found`)
    return track
  })

  fastify.patch('/tracks/:id', {
    schema: {
      tags: ['library'],
      summary: 'Change a track\'s user state',
      description: 'Sets isFavorite and/or rating (1 to 5; null clears it); fields not sent stay as they are. ' +
        'Tags come from the files. Kept across rescans.',
      params: IdParams,
      body: TrackPatch,
      response: { 200: TrackRef, ...errors(400, 404, 415, 503) }
    },
    // Before Ajv, whose type coercion would read {"rating": "3"} as 3 and {"rating": 0} as null.
    preValidation: async (request) => {
      const problem = exactMismatch(TrackPatch, request.body)
      if (problem !== null) throw Object.assign(fastify.httpErrors.badRequest(problem), { code: 'FST_ERR_VALIDATION' })
    }
  }, async (request) => {
    const track = await updateTrackState(fastify.pg, request.params.id, request.body)
    if (track === null) throw fastify.httpErrors.notFound(`Track ${request.params.id} not found`)
    return track
  })

  fastify.post('/tracks/:id/played', {
    schema: {
      tags: ['library'],
      summary: 'Record that a track was played',
      description: 'Adds one to playCount and sets lastPlayed to now. Kept across rescans.',
      params: IdParams,
      response: { 200: TrackRef, ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const track = await recordPlay(fastify.pg, request.params.id)
    if (track === null) throw fastify.httpErrors.notFound(`Track ${request.params.id} not found`)
    return track
  })
}

export default tracks
