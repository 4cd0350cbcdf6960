// Process entry for a scan/index worker: no HTTP server. Any number of these may share one Redis.
import Fastify from 'fastify'
import configPlugin from './plugins/config.js'
import dbPlugin from './plugins/db.js'
import redisPlugin from './plugins/redis.js'
import queuePlugin from './plugins/queue.js'
import scanEventsPlugin from './plugins/scan-events.js'
import analysisPlugin from './plugins/analysis.js'
import scannerPlugin from './plugins/scanner.js'
import workerMetricsPlugin from './plugins/worker-metrics.js'
import { exitGracefullyOnSignals, readConfigOrExit } from './lib/process-entry.js'
import { processLoggerOptions } from './lib/logging/options.js'

const config = readConfigOrExit()
if (config.redisHost === null) {
  process.stderr.write('worker.ts needs REDIS_HOST: without Redis the API process runs scans itself\n')
  process.exit(1)
}
if (config.postgresUrl === null) {
  // An embedded database belongs to one process: a worker would index into a library nobody reads.
  process.stderr.write('worker.ts needs POSTGRES_URL: the embedded database is only reachable from the API process\n')
  process.exit(1)
}
const fastify = Fastify({ logger: processLoggerOptions(config) })

const lifecycle = exitGracefullyOnSignals(fastify, { graceMs: 20_000, message: 'worker shutting down: an unfinished job is handed back to the queue' })

try {
  await fastify.register(configPlugin, { config, startup: lifecycle.startup })
  await fastify.register(dbPlugin)
  await fastify.register(redisPlugin)
  await fastify.register(queuePlugin)
  await fastify.register(scanEventsPlugin)
  await fastify.register(analysisPlugin)
  await fastify.register(scannerPlugin, { runJobs: true, schedule: false })
  await fastify.register(workerMetricsPlugin)
  lifecycle.startup.throwIfAborted()
  await fastify.ready()
  lifecycle.started()
  fastify.log.info({ mediaPath: config.mediaPath }, 'worker ready')
  process.send?.('ready')
} catch (err) {
  await lifecycle.startupFailed(err, fastify.log)
}
