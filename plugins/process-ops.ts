// What every process (the API and each worker) tells the ops service about itself: its
// database, queue, parse threads and data folder. The API adds what only it has (transcoder,
// caches).
import type { FastifyInstance } from 'fastify'
import { createOps, type Ops, type OpsSources } from '../lib/ops/ops-service.js'
import { VERSION } from '../lib/version.js'

export function processOps (fastify: FastifyInstance, extra: Partial<OpsSources> = {}): Ops {
  const { config } = fastify
  return createOps({
    db: fastify.pg.pool,
    pool: fastify.pg.pool,
    databaseKind: config.postgresUrl === null ? 'pglite' : 'postgres',
    queue: fastify.queue,
    analysis: fastify.analysis,
    parseThreads: fastify.parseUsage,
    dataDir: config.dataDir,
    pingDatabase: async () => { await fastify.db.ping() },
    pingRedis: fastify.redis === null ? null : async () => { await fastify.redisPing() },
    version: VERSION,
    startedAt: new Date(Date.now() - process.uptime() * 1000),
    ...extra
  })
}
