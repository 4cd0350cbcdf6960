// A worker's own /metrics (worker.ts has no HTTP API): its queues, database pool and process,
// on WORKER_METRICS_PORT without a key, for a scraper inside the deployment's network. The
// server takes a few connections at once and closes slow or idle ones (lib/ops/metrics-server.ts).
import type { AddressInfo } from 'node:net'
import fp from 'fastify-plugin'
import { processOps } from './process-ops.js'
import { createMetrics } from '../lib/ops/metrics.js'
import { createMetricsServer } from '../lib/ops/metrics-server.js'
import { VERSION } from '../lib/version.js'

export default fp(async (fastify) => {
  const { config } = fastify
  const port = config.workerMetricsPort
  if (port === null) return
  const ops = processOps(fastify)
  // Scans are counted by the API process from the scans table: a worker would count them again.
  const { registry } = createMetrics(ops, { scans: false, http: false, version: VERSION })
  const server = createMetricsServer(registry, (err) => { fastify.log.warn({ err }, 'worker metrics could not be read') })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, config.host, () => { resolve() })
  })
  fastify.log.info({ port: (server.address() as AddressInfo).port }, 'worker metrics listening')
  fastify.addHook('onClose', async () => {
    server.closeAllConnections()
    await new Promise<void>((resolve) => { server.close(() => { resolve() }) })
  })
}, { name: 'worker-metrics', dependencies: ['config', 'db', 'redis', 'queue', 'analysis', 'scanner'], fastify: '5.x' })
