import fp from 'fastify-plugin'
import { availableParallelism } from 'node:os'
import { DependencyDownError, isDependencyDown } from '../lib/dependency-errors.js'
import {
  runScanJob, runIndexJob, parseInProcess, type JobDeps, type ScanJobData, type IndexJobData
} from '../lib/scan/jobs.js'
import {
  createOrGetActiveScan, deleteScan, failInterruptedScans, finishScan, getScan, latestScan, scanErrors, toProgress, toScan,
  type Scan, type ScanProgress
} from '../lib/scan/scan-repository.js'
import { libraryStats } from '../lib/scan/track-repository.js'
import { createParsePool, type ParsePool } from '../lib/scan/parse-pool.js'
import type { LibraryStats } from '../lib/scan/scan-events.js'
import { scanOptions, type ScanOptions } from '../lib/scan/scan-options.js'
import { createWatchMode, type WatchMode } from '../lib/scan/watch-mode.js'

const LOST_AFTER_MS = 30_000
const PARSE_THREADS_IDLE_MS = 1000

export interface ScanStatus {
  isScanning: boolean
  scan: Scan | null
  progress: ScanProgress
  stats: LibraryStats
}

export interface Scanner {
  // Queues a scan, or returns the one already queued or running (created = false; the options
  // given are then not applied: the running scan keeps its own).
  start: (options?: Partial<ScanOptions>) => Promise<{ scan: Scan, created: boolean }>
  status: () => Promise<ScanStatus>
  // Turns watch mode on until the process stops (a no-op where scans are not scheduled, i.e.
  // in worker processes). Resolves once the watcher has read the folder tree.
  watch: () => Promise<void>
  isWatching: () => boolean
  get: (id: string) => Promise<(Scan & { errors: Array<{ path: string, message: string }> }) | null>
}

declare module 'fastify' {
  interface FastifyInstance {
    scanner: Scanner
  }
}

export interface ScannerOptions {
  // Run the job handlers in this process (worker.ts forces this on).
  runJobs?: boolean
  // Start-up, periodic and watch-mode scans (SCAN_ON_START, SCAN_INTERVAL, WATCH); API processes only.
  schedule?: boolean
}

export default fp<ScannerOptions>(async (fastify, opts) => {
  const { config, queue } = fastify
  const pool = fastify.pg.pool
  const lifetime = new AbortController()
  // Without Redis nobody else can run the jobs, so this process runs them whatever RUN_WORKER says.
  const runJobs = opts.runJobs ?? (config.runWorker || queue.kind === 'memory')

  // Threads start with the first batch to parse, so processes that never index pay nothing.
  let parsePool: ParsePool | null = null
  const parseThreads = availableParallelism()
  const inProcess = parseInProcess(4)
  let threadsBroken = parseThreads < 2
  // Each thread is a V8 isolate of its own (tens of MB): let them go once indexing pauses, so a
  // server between scans holds only what serving needs.
  let parsing = 0
  let idleTimer: NodeJS.Timeout | undefined
  const releaseWhenIdle = (): void => {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => {
      if (parsing > 0 || parsePool === null) return
      const idle = parsePool
      parsePool = null
      void idle.close()
    }, PARSE_THREADS_IDLE_MS)
    idleTimer.unref()
  }
  const parse: JobDeps['parse'] = async (root, files, options) => {
    if (threadsBroken) return inProcess(root, files, options)
    clearTimeout(idleTimer)
    parsePool ??= createParsePool(parseThreads)
    parsing++
    try {
      return await parsePool.parse(root, files, options)
    } catch (err) {
      // Threads that cannot start must not stop indexing: parse on the main thread instead.
      fastify.log.warn({ err }, 'parse threads failed; parsing on the main thread from now on')
      threadsBroken = true
      return inProcess(root, files, options)
    } finally {
      parsing--
      if (parsing === 0) releaseWhenIdle()
    }
  }

  const deps: JobDeps = {
    pool,
    queue,
    events: fastify.scanEvents,
    mediaPath: config.mediaPath,
    batchSize: config.scanBatchSize,
    parse,
    log: fastify.log,
    signal: lifetime.signal
  }

  if (queue.kind === 'memory') {
    // In-process jobs die with their process: a scan still marked active cannot be running.
    const interrupted = await failInterruptedScans(pool)
    if (interrupted > 0) fastify.log.warn({ interrupted }, 'marked scans interrupted by a restart as failed')
  }

  if (runJobs) {
    queue.process<ScanJobData>('scan', async (data, job) => { await runScanJob(deps, data, job) })
    // Three batches in flight: the threads always have the next batch to parse while one is written.
    queue.process<IndexJobData>('index', async (data) => { await runIndexJob(deps, data) }, { concurrency: 3 })
  }

  const start = async (given?: Partial<ScanOptions>, folders?: string[]): Promise<{ scan: Scan, created: boolean }> => {
    if (queue.kind === 'redis') await fastify.redisPing()
    let { scan, created } = await createOrGetActiveScan(pool)
    // A scan whose job is gone (Redis flushed, say) would block every later scan. A young one may
    // just be between its INSERT and its queueing by a concurrent request, so it is left alone.
    const age = Date.now() - new Date(scan.started_at).getTime()
    if (!created && age > LOST_AFTER_MS && !(await queue.isPending('scan', scan.id))) {
      await finishScan(pool, scan.id, 'failed', 'interrupted: its job was lost')
      ;({ scan, created } = await createOrGetActiveScan(pool))
    }
    if (created) {
      try {
        const data: ScanJobData = { scanId: scan.id, options: scanOptions(given) }
        if (folders !== undefined) data.folders = folders
        await queue.add<ScanJobData>('scan', data, { jobId: scan.id })
      } catch (err) {
        // Not queued means never run: drop the row, or it would block every later scan.
        await deleteScan(pool, scan.id).catch(() => {})
        if (isDependencyDown(err)) throw err
        throw new DependencyDownError('redis', `could not queue the scan: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    return { scan: toScan(scan), created }
  }

  const schedules = opts.schedule ?? true
  // Watch scans use the options of the latest scan a client asked for (the app's settings).
  let clientOptions: Partial<ScanOptions> | undefined
  let watchMode: WatchMode | null = null
  const watch = async (): Promise<void> => {
    if (!schedules) return
    watchMode ??= createWatchMode({
      mediaPath: config.mediaPath,
      dataDir: config.dataDir,
      quietMs: config.watchDebounceMs,
      maxWaitMs: config.watchMaxWaitMs,
      startScan: async (folders) => await start(clientOptions, folders),
      log: fastify.log
    })
    await watchMode.start()
  }

  fastify.decorate('scanner', {
    start: async (given?: Partial<ScanOptions>) => {
      clientOptions = given
      return await start(given)
    },
    watch,
    isWatching: () => watchMode?.isActive() ?? false,
    status: async () => {
      const [row, stats] = await Promise.all([latestScan(pool), libraryStats(pool)])
      return {
        isScanning: row !== null && (row.status === 'queued' || row.status === 'running'),
        scan: row === null ? null : toScan(row),
        progress: toProgress(row),
        stats
      }
    },
    get: async (id: string) => {
      const row = await getScan(pool, id)
      if (row === null) return null
      return { ...toScan(row), errors: await scanErrors(pool, id) }
    }
  } satisfies Scanner)

  let timer: NodeJS.Timeout | undefined
  const scheduled = (why: string) => () => {
    start().then(({ scan, created }) => {
      if (created) fastify.log.info({ scanId: scan.id, why }, 'scan queued')
    }, (err: unknown) => fastify.log.warn({ err, why }, 'could not start a scan'))
  }
  if (schedules) {
    fastify.addHook('onReady', async () => {
      // Not awaited: reading a large library's folder tree must not hold up start-up.
      if (config.watch) void watch()
      if (config.scanOnStart && (await libraryStats(pool)).tracks === 0) scheduled('library empty at start-up')()
      if (config.scanIntervalSeconds > 0) {
        timer = setInterval(scheduled('SCAN_INTERVAL'), config.scanIntervalSeconds * 1000)
        timer.unref()
      }
    })
  }
  fastify.addHook('preClose', async () => {
    clearInterval(timer)
    lifetime.abort()
    await watchMode?.close()
  })
  fastify.addHook('onClose', async () => {
    clearTimeout(idleTimer)
    await parsePool?.close()
  })
}, { name: 'scanner', dependencies: ['config', 'db', 'redis', 'queue', 'scan-events'], fastify: '5.x' })
