// The scan service: the rules for starting a scan (one at a time; a scan whose job was lost does
// not block the next; a scan that could not be queued leaves nothing behind), what status and a
// scan's page report, and the scans a server starts by itself (at start-up, on an interval, on
// changes under the media folder). The job handlers themselves are in jobs.ts.
import { DependencyDownError, isDependencyDown } from '../dependency-errors.js'
import type { Queryable } from '../db/queryable.js'
import type { JobQueue } from '../queue/job-queue.js'
import type { JobDeps, ScanJobData } from './jobs.js'
import {
  createOrGetActiveScan, deleteScan, failInterruptedScans, finishScan, getScan, latestScan, scanErrors, toProgress, toScan,
  type Scan
} from './scan-repository.js'
import { libraryCounts } from '../library/stats-repository.js'
import type { ScanStatusT, ScanWithErrorsT } from '../../schemas/scan.js'
import { scanOptions, type ScanOptions } from './scan-options.js'
import { createWatchMode, type WatchMode, type WatchModeOptions } from './watch-mode.js'

// An active scan younger than this may be between its INSERT and its queueing by a concurrent
// request, so it is never taken for lost.
const LOST_AFTER_MS = 30_000

export interface StartedScan {
  scan: Scan
  // false: a scan was already queued or running, and this is that one.
  created: boolean
}

// Scans a process starts by itself (SCAN_ON_START, SCAN_INTERVAL, WATCH).
export interface ScanSchedule {
  // A scan at start-up, when the library is empty.
  onStart: boolean
  // 0: none.
  intervalSeconds: number
  // Watch mode from start-up rather than only once a client asks for it.
  watchOnStart: boolean
  watchMode: Pick<WatchModeOptions, 'mediaPath' | 'dataDir' | 'quietMs' | 'maxWaitMs'>
}

export interface ScanServiceOptions {
  db: Queryable
  queue: JobQueue
  log: JobDeps['log']
  // null in a process that only runs jobs (worker.ts): it starts no scan of its own.
  schedule: ScanSchedule | null
  now?: () => number
  startWatchMode?: (opts: WatchModeOptions) => WatchMode
}

export interface ScanService {
  // A client's request: queues a scan, or returns the one already queued or running (whose own
  // options then stay). The options are remembered for the scans watch mode starts.
  start: (options?: Partial<ScanOptions>) => Promise<StartedScan>
  status: () => Promise<ScanStatusT>
  get: (id: string) => Promise<ScanWithErrorsT | null>
  // Turns watch mode on until stop() (a no-op without a schedule). Resolves once the watcher has
  // read the folder tree.
  watch: () => Promise<void>
  isWatching: () => boolean
  // At start-up, before any job is taken: a queue that is not durable lost the jobs of the last
  // process, so scans it left marked active cannot be running. Returns how many were failed.
  failInterrupted: () => Promise<number>
  // Starts the schedule (once the server is ready).
  begin: () => Promise<void>
  // Stops the schedule and watch mode.
  stop: () => Promise<void>
}

export function createScanService (opts: ScanServiceOptions): ScanService {
  const { db, queue, log, schedule } = opts
  const now = opts.now ?? Date.now
  const startWatchMode = opts.startWatchMode ?? createWatchMode

  const enqueue = async (given?: Partial<ScanOptions>, folders?: string[]): Promise<StartedScan> => {
    await queue.assertReachable()
    let { scan, created } = await createOrGetActiveScan(db)
    // A scan whose job is gone (Redis flushed, say) would block every later scan.
    const age = now() - new Date(scan.started_at).getTime()
    if (!created && age > LOST_AFTER_MS && !(await queue.isPending('scan', scan.id))) {
      await finishScan(db, scan.id, 'failed', 'interrupted: its job was lost')
      ;({ scan, created } = await createOrGetActiveScan(db))
    }
    if (created) {
      try {
        const data: ScanJobData = { scanId: scan.id, options: scanOptions(given) }
        if (folders !== undefined) data.folders = folders
        await queue.add<ScanJobData>('scan', data, { jobId: scan.id })
      } catch (err) {
        // Not queued means never run: drop the row, or it would block every later scan.
        await deleteScan(db, scan.id).catch(() => {})
        if (isDependencyDown(err)) throw err
        throw new DependencyDownError('redis', `could not queue the scan: ${err instanceof Error ? err.message : String(err)}`)
      }
    }
    return { scan: toScan(scan), created }
  }

  // Watch scans use the options of the latest scan a client asked for (the app's settings).
  let clientOptions: Partial<ScanOptions> | undefined
  let watchMode: WatchMode | null = null
  const watch = async (): Promise<void> => {
    if (schedule === null) return
    watchMode ??= startWatchMode({
      ...schedule.watchMode,
      startScan: async (folders) => await enqueue(clientOptions, folders),
      log
    })
    await watchMode.start()
  }

  let timer: NodeJS.Timeout | undefined
  const scheduled = (why: string) => (): void => {
    enqueue().then(({ scan, created }) => {
      if (created) log.info({ scanId: scan.id, why }, 'scan queued')
    }, (err: unknown) => log.warn({ err, why }, 'could not start a scan'))
  }

  return {
    start: async (given) => {
      clientOptions = given
      return await enqueue(given)
    },
    status: async () => {
      const [row, stats] = await Promise.all([latestScan(db), libraryCounts(db)])
      return {
        isScanning: row !== null && (row.status === 'queued' || row.status === 'running'),
        scan: row === null ? null : toScan(row),
        progress: toProgress(row),
        stats
      }
    },
    get: async (id) => {
      const row = await getScan(db, id)
      if (row === null) return null
      return { ...toScan(row), errors: await scanErrors(db, id) }
    },
    watch,
    isWatching: () => watchMode?.isActive() ?? false,
    failInterrupted: async () => {
      if (queue.durable) return 0
      const interrupted = await failInterruptedScans(db)
      if (interrupted > 0) log.warn({ interrupted }, 'marked scans interrupted by a restart as failed')
      return interrupted
    },
    begin: async () => {
      if (schedule === null) return
      // Not awaited: reading a large library's folder tree must not hold up start-up.
      if (schedule.watchOnStart) void watch()
      if (schedule.onStart && (await libraryCounts(db)).tracks === 0) scheduled('library empty at start-up')()
      if (schedule.intervalSeconds > 0) {
        timer = setInterval(scheduled('SCAN_INTERVAL'), schedule.intervalSeconds * 1000)
        timer.unref()
      }
    },
    stop: async () => {
      clearInterval(timer)
      await watchMode?.close()
    }
  }
}
