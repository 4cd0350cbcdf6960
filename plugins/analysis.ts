// The analysis dispatch service (lib/analysis/analysis-service.ts), for the scan's index jobs
// in whichever process runs them, the health answer and the backfill route.
import fp from 'fastify-plugin'
import { createAnalysisService, type AnalysisService } from '../lib/analysis/analysis-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    analysis: AnalysisService
  }
}

export default fp(async (fastify) => {
  const { config, queue } = fastify
  const analysis = createAnalysisService({
    db: fastify.pg.pool,
    queue,
    settings: { enabled: config.analysis, maxPending: config.analysisMaxPending, mediaPath: config.mediaPath }
  })
  if (config.analysis && !queue.durable) {
    fastify.log.warn('ANALYSIS=on without REDIS_HOST: analysis jobs stay in this process, where no analysis worker can take them')
  }
  fastify.decorate('analysis', analysis)
}, { name: 'analysis', dependencies: ['config', 'db', 'queue'], fastify: '5.x' })
