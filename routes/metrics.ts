import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { errors } from '../schemas/common.js'

const metrics: FastifyPluginAsyncTypebox = async (fastify) => {
  const open = fastify.config.metricsPublic
  fastify.get('/metrics', {
    config: { public: open },
    schema: {
      tags: ['operations'],
      summary: 'Prometheus metrics',
      description: 'The Prometheus text format: requests by route pattern, streams, scans, queues, caches, the ' +
        'database pool, transcodes and the process (docs/metrics.md lists them). Needs a person\'s key, like the ' +
        'rest of the API, unless METRICS_PUBLIC=true.',
      produces: ['text/plain'],
      response: {
        200: { description: 'Metrics in the Prometheus text format 0.0.4', content: { 'text/plain': { schema: Type.String() } } },
        ...(open ? {} : errors(401, 403))
      }
    }
  }, async (_request, reply) => {
    const { registry } = fastify.metrics
    return await reply.type(registry.contentType).send(await registry.metrics())
  })
}

export default metrics
