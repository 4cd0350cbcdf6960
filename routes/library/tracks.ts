import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, NotModified, errors } from '../../schemas/common.js'
import { Track, TrackList, TrackListQuery, TrackPatch } from '../../schemas/library.js'
import { AnalysisBody, ANALYSIS_BODY_LIMIT } from '../../schemas/analysis.js'
import { exactMismatch } from '../../lib/exact-json.js'
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
    const { limit, offset, ...asked } = request.query
    if (limit === WHOLE_LIMIT) return await fastify.wholeLists.send(request, reply, { field: 'tracks', spec: fastify.libraryFor(request).tracks.whole({ ...asked, offset }), itemSchema: TrackRef })
    const { rows, total } = await fastify.libraryFor(request).tracks.list({ ...asked, limit, offset })
    return { tracks: rows, total, limit, offset }
  })

  fastify.get('/tracks/:id', {
    schema: {
      tags: ['library'],
      summary: 'One track',
      params: IdParams,
      response: { 200: TrackRef, ...errors(400, 404, 503) }
    }
  }, async (request) => {
    const track = await fastify.libraryFor(request).tracks.byId(request.params.id)
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
    const track = await fastify.libraryFor(request).tracks.setState(request.params.id, request.body)
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
    const track = await fastify.libraryFor(request).tracks.recordPlay(request.params.id)
    if (track === null) throw fastify.httpErrors.notFound(`Track ${request.params.id} not found`)
    return track
  })

  fastify.put('/tracks/:id/analysis', {
    config: { role: 'analysis' },
    bodyLimit: ANALYSIS_BODY_LIMIT,
    schema: {
      tags: ['library'],
      summary: 'Store a track\'s analysis results',
      description: 'For analysis workers consuming the `analysis` queue: the body (a JSON object) becomes the ' +
        'track\'s analysis, kept across rescans. Answers with the updated track.',
      params: IdParams,
      body: Type.Ref(AnalysisBody),
      response: { 200: TrackRef, ...errors(400, 401, 404, 413, 415, 503) }
    }
  }, async (request) => {
    const track = await fastify.libraryFor(request).tracks.saveAnalysis(request.params.id, request.body as Record<string, unknown>)
    if (track === null) throw fastify.httpErrors.notFound(`No track with id ${request.params.id}`)
    return track
  })
}

export default tracks
