import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../schemas/common.js'
import { BackfillResult } from '../../schemas/analysis.js'

const analysis: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/backfill', {
    config: { role: 'admin' },
    schema: {
      tags: ['operations'],
      summary: 'Publish the tracks that have no analysis yet',
      description: 'For tracks indexed while ANALYSIS was off, or left out because the queue was full: publishes ' +
        'each track without an analysis result on the `analysis` queue, 1,000 at a time, until the queue holds ' +
        'ANALYSIS_MAX_PENDING jobs (`skipped` counts the rest: call again once it drains). A track whose job is ' +
        'already waiting is not published twice. 409 when ANALYSIS is off, when no analysis consumer has been ' +
        'seen (`analysis.consumerSeen` in GET /health/ready), or while another backfill runs. It needs no body.',
      response: { 200: BackfillResult, ...errors(400, 401, 403, 409, 503) }
    }
  }, async () => await fastify.analysis.backfill())
}

export default analysis
