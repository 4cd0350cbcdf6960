// The scan service's rules on a real (embedded) database and the in-process queue, without
// Fastify or Redis: one scan at a time, a lost job does not block the next scan, a scan that
// could not be queued leaves nothing behind, and what status and a scan's page say.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { pgliteOptions } from '../../../lib/pglite.js'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import type { InspectableQueue, JobQueue } from '../../../lib/queue/job-queue.js'
import { createScanService, type ScanServiceOptions } from '../../../lib/scan/scan-service.js'
import type { ScanJobData } from '../../../lib/scan/jobs.js'
import { finishScan } from '../../../lib/scan/scan-repository.js'
import { scanOptions } from '../../../lib/scan/scan-options.js'
import type { WatchModeOptions } from '../../../lib/scan/watch-mode.js'
import { pgliteDataDir } from '../../helper.js'

// One migrated database for the file; each test starts from an empty scans table.
const dataDir = await pgliteDataDir(t)
const pglite = new PGlite(join(dataDir, 'pglite'), pgliteOptions())
const db = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig)
t.teardown(async () => {
  await db.end()
  await pglite.close()
})
t.beforeEach(async () => { await db.query('TRUNCATE scans CASCADE') })

const silent = { info: () => {}, warn: () => {}, error: () => {} }
const MINUTE = 60_000

function memoryQueue (t: Test): InspectableQueue {
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  return queue
}

function service (queue: JobQueue, more: Partial<ScanServiceOptions> = {}) {
  return createScanService({ db, queue, log: silent, schedule: null, ...more })
}

async function scanRows (): Promise<Array<{ id: string, status: string, error: string | null }>> {
  return (await db.query('SELECT id, status, error FROM scans ORDER BY started_at, id')).rows
}

t.test('start creates a queued scan and queues its job; a second start returns that scan', async (t) => {
  const queue = memoryQueue(t)
  const scans = service(queue)
  const first = await scans.start({ parallelScanning: false })
  t.equal(first.created, true)
  t.match(first.scan, { id: /^[0-9a-f-]{36}$/, status: 'queued', finishedAt: null, filesSeen: 0 })
  t.same(await queue.waiting<ScanJobData>('scan'), [{ scanId: first.scan.id, options: scanOptions({ parallelScanning: false }) }], 'its job carries its options')

  const second = await scans.start()
  t.equal(second.created, false, 'not a second scan')
  t.equal(second.scan.id, first.scan.id)
  t.equal((await queue.waiting('scan')).length, 1, 'nor a second job')
  t.equal((await scanRows()).length, 1)
})

t.test('a scan that could not be queued is removed and reported as its dependency being down', async (t) => {
  const queue = memoryQueue(t)
  const failing: JobQueue = { ...queue, add: async () => { throw new Error('queue full') } }
  const scans = service(failing)
  await t.rejects(scans.start(), { name: 'DependencyDownError', dependency: 'redis', message: /could not queue the scan: queue full/ })
  t.same(await scanRows(), [], 'no row is left to block later scans')

  // An error that already says a dependency is down reaches the caller as it is.
  const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
  const down = service({ ...queue, add: async () => { throw refused } })
  await t.rejects(down.start(), refused)
  t.same(await scanRows(), [])

  const started = await service(queue).start()
  t.equal(started.created, true, 'the next scan starts normally')
})

t.test('an unreachable queue refuses the scan before any row is written', async (t) => {
  const queue = memoryQueue(t)
  const unreachable: JobQueue = { ...queue, assertReachable: async () => { throw Object.assign(new Error('redis did not answer'), { name: 'DependencyDownError' }) } }
  await t.rejects(service(unreachable).start(), { message: 'redis did not answer' })
  t.same(await scanRows(), [])
})

t.test('an active scan whose job is lost is failed once older than the threshold, and a new one started', async (t) => {
  const before = await service(memoryQueue(t)).start()
  // Another process's queue, which never saw that job (as after Redis was flushed).
  const queue = memoryQueue(t)
  const startedAt = new Date(before.scan.startedAt).getTime()

  const young = await service(queue, { now: () => startedAt + 10_000 }).start()
  t.equal(young.created, false, 'a young scan may be between its INSERT and its queueing: left alone')
  t.equal(young.scan.id, before.scan.id)

  const later = await service(queue, { now: () => startedAt + MINUTE }).start()
  t.equal(later.created, true, 'a new scan is started')
  t.not(later.scan.id, before.scan.id)
  t.match(await scanRows(), [
    { id: before.scan.id, status: 'failed', error: 'interrupted: its job was lost' },
    { id: later.scan.id, status: 'queued', error: null }
  ])
  t.same(await queue.waiting<ScanJobData>('scan').then((jobs) => jobs.map((j) => j.scanId)), [later.scan.id])
})

t.test('an old scan whose job is still pending is not taken for lost', async (t) => {
  const queue = memoryQueue(t)
  const first = await service(queue).start()
  const again = await service(queue, { now: () => Date.now() + 10 * MINUTE }).start()
  t.equal(again.created, false)
  t.equal(again.scan.id, first.scan.id)
  t.match(await scanRows(), [{ status: 'queued' }])
})

t.test('status: the latest scan, its progress and the library counts', async (t) => {
  const scans = service(memoryQueue(t))
  t.same(await scans.status(), {
    isScanning: false,
    scan: null,
    progress: { phase: 'complete', processed: 0, total: 0, percentage: 0, currentFile: null, estimatedTimeRemaining: null },
    stats: { tracks: 0, artists: 0, albums: 0 }
  }, 'before any scan')

  const { scan } = await scans.start()
  const queued = await scans.status()
  t.equal(queued.isScanning, true)
  t.same(queued.scan, scan)
  t.match(queued.progress, { processed: 0, total: 0, currentFile: null })

  await finishScan(db, scan.id, 'completed', null)
  const done = await scans.status()
  t.equal(done.isScanning, false)
  t.match(done.scan, { id: scan.id, status: 'completed' })
  t.equal(done.progress.percentage, 100)
})

t.test('get: a scan with the files it could not index, or null', async (t) => {
  const scans = service(memoryQueue(t))
  t.equal(await scans.get('00000000-0000-4000-8000-000000000000'), null)
  const { scan } = await scans.start()
  await db.query("INSERT INTO scan_errors (scan_id, path, message) VALUES ($1, 'a.mp3', 'no audio stream found')", [scan.id])
  t.same(await scans.get(scan.id), { ...scan, errors: [{ path: 'a.mp3', message: 'no audio stream found' }] })
})

t.test('at start-up, active scans are failed only when the queue lost their jobs with the last process', async (t) => {
  const { scan } = await service(memoryQueue(t)).start()
  const durable: JobQueue = { ...memoryQueue(t), durable: true }
  t.equal(await service(durable).failInterrupted(), 0, 'a durable queue still holds the job')
  t.match(await scanRows(), [{ id: scan.id, status: 'queued' }])
  t.equal(await service(memoryQueue(t)).failInterrupted(), 1)
  t.match(await scanRows(), [{ id: scan.id, status: 'failed' }])
})

t.test('watch scans cover the changed folders with the options a client last asked for', async (t) => {
  const queue = memoryQueue(t)
  let watchOptions: WatchModeOptions | undefined
  let closed = 0
  const scans = service(queue, {
    schedule: { onStart: false, intervalSeconds: 0, watchOnStart: false, watchMode: { mediaPath: '/m', dataDir: '/d', quietMs: 10, maxWaitMs: 20 } },
    startWatchMode: (opts) => {
      watchOptions = opts
      return { isActive: () => watchOptions !== undefined && closed === 0, start: async () => {}, close: async () => { closed++ } }
    }
  })
  t.equal(scans.isWatching(), false)
  const asked = await scans.start({ parallelScanning: false, coverArtSizeLimit: 5000 })
  await finishScan(db, asked.scan.id, 'completed', null)
  await scans.watch()
  t.equal(scans.isWatching(), true)
  t.match(watchOptions, { mediaPath: '/m', dataDir: '/d', quietMs: 10, maxWaitMs: 20 })

  const started = await (watchOptions as WatchModeOptions).startScan(['Band/Album'])
  t.equal(started.created, true)
  const jobs = await queue.waiting<ScanJobData>('scan')
  t.same(jobs.at(-1), { scanId: (await scanRows()).at(-1)?.id, options: scanOptions({ parallelScanning: false, coverArtSizeLimit: 5000 }), folders: ['Band/Album'] })

  await scans.stop()
  t.equal(closed, 1, 'stop closes watch mode')
  t.equal(scans.isWatching(), false)
})

t.test('without a schedule there is no watch mode and no scan of its own', async (t) => {
  const queue = memoryQueue(t)
  let started = 0
  const scans = service(queue, { startWatchMode: () => { started++; throw new Error('not expected') } })
  await scans.watch()
  await scans.begin()
  t.equal(started, 0)
  t.equal(scans.isWatching(), false)
  t.same(await scanRows(), [])
})

t.test('the schedule: a start-up scan on an empty library when asked, none otherwise', async (t) => {
  const schedule = { onStart: true, intervalSeconds: 0, watchOnStart: false, watchMode: { mediaPath: '/m', dataDir: '/d', quietMs: 10, maxWaitMs: 20 } }
  const off = memoryQueue(t)
  const quiet = service(off, { schedule: { ...schedule, onStart: false } })
  await quiet.begin()
  await quiet.stop()

  const queue = memoryQueue(t)
  const infos: unknown[] = []
  const scans = service(queue, { schedule, log: { ...silent, info: (obj) => infos.push(obj) } })
  await scans.begin()
  // The start-up scan is not awaited by begin(): a slow queue must not hold up start-up.
  for (let i = 0; i < 200 && infos.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.match(infos, [{ why: 'library empty at start-up' }])
  t.equal((await queue.waiting('scan')).length, 1, 'a scan is queued')
  t.equal((await off.waiting('scan')).length, 0, 'SCAN_ON_START off: none')
  t.equal((await scanRows()).length, 1)
  await scans.stop()
})
