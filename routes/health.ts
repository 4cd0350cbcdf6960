import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Health, Readiness } from '../schemas/health.js'
import { SERVICE, VERSION } from '../lib/version.js'

const health: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/health', {
    config: { public: true },
    schema: {
      tags: ['health'],
      summary: 'Liveness: the process is up',
      description: 'Answers 200 while the process runs, whatever the state of its dependencies.',
      response: { 200: Health }
    }
  }, async () => ({ status: 'ok' as const, service: SERVICE as 'sonantica-core', version: VERSION }))

  fastify.get('/health/ready', {
    config: { public: true },
    schema: {
      tags: ['health'],
      summary: 'Readiness: the database (and Redis, when configured) answer',
      description: 'Answers 503 naming each dependency that is down; recovers by itself when they return.',
      response: { 200: Readiness, 503: Readiness }
    }
  }, async (_request, reply) => {
    const body = await fastify.ops.readiness()
    return reply.code(body.status === 'ready' ? 200 : 503).send(body)
  })
}

export default health
