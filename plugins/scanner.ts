import fp from 'fastify-plugin'
import { runScanJob, runIndexJob, type JobDeps, type ScanJobData, type IndexJobData } from '../lib/scan/jobs.js'
import { createParseThreads, type ParseUsage } from '../lib/scan/parse-threads.js'
import { createScanService, type ScanService } from '../lib/scan/scan-service.js'

// What routes may call; the service's lifecycle stays with this plugin.
export type Scanner = Pick<ScanService, 'start' | 'status' | 'get' | 'watch' | 'isWatching'>

declare module 'fastify' {
  interface FastifyInstance {
    scanner: Scanner
    // The tag-parsing threads' work, for the metrics.
    parseUsage: () => ParseUsage
  }
}

export interface ScannerOptions {
  // Overrides config.runJobs (worker.ts forces it on).
  runJobs?: boolean
  // Start-up, periodic and watch-mode scans (SCAN_ON_START, SCAN_INTERVAL, WATCH); API processes only.
  schedule?: boolean
}

export default fp<ScannerOptions>(async (fastify, opts) => {
  const { config, queue, log } = fastify
  const db = fastify.pg.pool
  const lifetime = new AbortController()
  const parseThreads = createParseThreads({ log })
  fastify.decorate('parseUsage', parseThreads.usage)
  const service = createScanService({
    db,
    queue,
    log,
    schedule: (opts.schedule ?? true)
      ? {
          onStart: config.scanOnStart,
          intervalSeconds: config.scanIntervalSeconds,
          watchOnStart: config.watch,
          watchMode: { mediaPath: config.mediaPath, dataDir: config.dataDir, quietMs: config.watchDebounceMs, maxWaitMs: config.watchMaxWaitMs }
        }
      : null
  })
  await service.failInterrupted()

  // A queue that is not durable lives in this process only, so nobody else could run its jobs.
  if (opts.runJobs ?? (config.runJobs || !queue.durable)) {
    const deps: JobDeps = {
      pool: db, queue, events: fastify.scanEvents, mediaPath: config.mediaPath, batchSize: config.scanBatchSize, parse: parseThreads.parse, log, signal: lifetime.signal, analysis: fastify.analysis
    }
    queue.process<ScanJobData>('scan', async (data, job) => { await runScanJob(deps, data, job) })
    // Three batches in flight: the threads always have the next batch to parse while one is written.
    queue.process<IndexJobData>('index', async (data) => { await runIndexJob(deps, data) }, { concurrency: 3 })
  }

  const { start, status, get, watch, isWatching } = service
  fastify.decorate('scanner', { start, status, get, watch, isWatching } satisfies Scanner)
  fastify.addHook('onReady', async () => { await service.begin() })
  fastify.addHook('preClose', async () => {
    lifetime.abort()
    await service.stop()
  })
  fastify.addHook('onClose', async () => { await parseThreads.close() })
}, { name: 'scanner', dependencies: ['config', 'db', 'queue', 'scan-events', 'analysis'], fastify: '5.x' })
