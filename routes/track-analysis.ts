import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors, IdParams } from '../schemas/common.js'
import { AudioFormat, MusicBrainzIds, ReplayGain, Track } from '../schemas/library.js'
import { AnalysisBody, ANALYSIS_BODY_LIMIT } from '../schemas/analysis.js'
import { saveAnalysis } from '../lib/library/analysis-repository.js'
import { findTrackById } from '../lib/library/track-row.js'

const trackAnalysis: FastifyPluginAsyncTypebox = async (fastify) => {
  // The library routes may register these too; in this encapsulated context only when absent.
  for (const schema of [AudioFormat, ReplayGain, MusicBrainzIds, Track]) {
    if (fastify.getSchema(schema.$id as string) === undefined) fastify.addSchema(schema)
  }
  fastify.addSchema(AnalysisBody)

  fastify.put('/api/library/tracks/:id/analysis', {
    bodyLimit: ANALYSIS_BODY_LIMIT,
    schema: {
      tags: ['library'],
      summary: 'Store a track\'s analysis results',
      description: 'For analysis workers consuming the `analysis` queue: the body (a JSON object) becomes the ' +
        'track\'s analysis, kept across rescans. Answers with the updated track.',
      params: IdParams,
      body: Type.Ref(AnalysisBody),
      response: { 200: Type.Ref(Track), ...errors(400, 401, 404, 413, 415, 503) }
    }
  }, async (request) => {
    const { id } = request.params
    if (!(await saveAnalysis(fastify.pg, id, request.body as Record<string, unknown>))) {
      throw fastify.httpErrors.notFound(`No track with id ${id}`)
    }
    const track = await findTrackById(fastify.pg, id)
    if (track === null) throw fastify.httpErrors.notFound(`No track with id ${id}`)
    return track
  })
}

export default trackAnalysis
