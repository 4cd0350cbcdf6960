// The readers behind /metrics and GET /api/admin/status: one place that knows where each figure
// comes from (the pool, the queues, the transcoder, the caches, the scans table, the disk), so
// both answers agree. Sources a process does not have (a worker serves no responses) are left out.
import type { Queryable } from '../db/queryable.js'
import { QUEUE_NAMES, type JobQueue, type QueueDepth, type QueueName } from '../queue/job-queue.js'
import { latestScan, toScan } from '../scan/scan-repository.js'
import { libraryCounts } from '../library/stats-repository.js'
import { sharedFolderUsage } from './disk-usage.js'
import { databaseFacts, scanErrorCount, scanTotals, type ScanTotals } from './ops-repository.js'
import type { ReadinessT } from '../../schemas/health.js'
import type { AnalysisService } from '../analysis/analysis-service.js'
import type { AdminStatusT } from '../../schemas/ops.js'

// What pg.Pool counts (PGlite runs behind a pg.Pool of one client too).
export interface PoolCounts {
  readonly totalCount: number
  readonly idleCount: number
  readonly waitingCount: number
}

export interface CacheFigures {
  entries: number
  bytes: number
}

export interface OpsSources {
  db: Queryable
  pool: PoolCounts
  databaseKind: 'postgres' | 'pglite'
  queue: JobQueue
  analysis: Pick<AnalysisService, 'dispatch' | 'dueForAnalysis'>
  dataDir: string
  // The health checks: each resolves when its dependency answers.
  pingDatabase: () => Promise<void>
  // null: no Redis configured.
  pingRedis: (() => Promise<void>) | null
  transcoder?: { readonly running: number, readonly queued: number, readonly slots: number, readonly available: boolean }
  caches?: () => Record<'response' | 'wholeLists' | 'transcodes', CacheFigures>
  responseCacheLookups?: () => { hits: number, misses: number }
  // Tag-parsing threads of the process that indexes (plugins/scanner.ts).
  parseThreads?: () => { threads: number, busySeconds: number }
  version: string
  startedAt: Date
}

export interface PoolFigures {
  inUse: number
  idle: number
  waiting: number
}

export type QueueDepths = Record<QueueName, QueueDepth>

// The caches' folders under DATA_DIR, shown apart in the status.
const CACHE_FOLDERS = ['covers', 'transcodes', 'whole-lists'] as const

export function createOps (sources: OpsSources) {
  const { db, pool, queue, dataDir } = sources

  // freshAnalysis: the analysis figures read now rather than shared (the admin's status).
  const readiness = async (opts: { freshAnalysis?: boolean } = {}): Promise<ReadinessT> => {
    const [database, redis, analysis] = await Promise.all([
      sources.pingDatabase().then(() => 'up' as const, () => 'down' as const),
      sources.pingRedis === null
        ? Promise.resolve('disabled' as const)
        : sources.pingRedis().then(() => 'up' as const, () => 'down' as const),
      sources.analysis.dispatch({ fresh: opts.freshAnalysis })
    ])
    const dependencies = { database, redis }
    const down = Object.entries(dependencies).filter(([, state]) => state === 'down').map(([name]) => name)
    const transcoder = sources.transcoder?.available === true ? 'up' as const : 'missing' as const
    return { status: down.length === 0 ? 'ready' : 'unavailable', checks: { ...dependencies, transcoder }, down, analysis }
  }

  const poolFigures = (): PoolFigures => ({
    inUse: pool.totalCount - pool.idleCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount
  })

  const queueDepths = async (): Promise<QueueDepths> => {
    const depths = await Promise.all(QUEUE_NAMES.map(async (name) => [name, await queue.depth(name)] as const))
    return Object.fromEntries(depths) as QueueDepths
  }

  const queueFailures = (): Record<QueueName, number> =>
    Object.fromEntries(QUEUE_NAMES.map((name) => [name, queue.failures(name)])) as Record<QueueName, number>

  // DATA_DIR is walked once for its total and the parts shown apart; calls that come together
  // share the walk, and its answer is reused for a few seconds (lib/ops/disk-usage.ts).
  const pglite = sources.databaseKind === 'pglite'
  const dataDirUsage = sharedFolderUsage(dataDir, pglite ? [...CACHE_FOLDERS, 'pglite'] : CACHE_FOLDERS)
  const disk = async (): Promise<AdminStatusT['disk']> => {
    const [usage, database] = await Promise.all([
      dataDirUsage.read(),
      pglite ? null : databaseFacts(db).then((f) => f.sizeBytes)
    ])
    const { parts } = usage
    return {
      dataDir,
      total: usage.total,
      covers: parts.covers,
      transcodes: parts.transcodes,
      wholeLists: parts['whole-lists'],
      database: database ?? parts.pglite,
      databaseInDataDir: pglite
    }
  }

  const lastScan = async (): Promise<AdminStatusT['lastScan']> => {
    const row = await latestScan(db)
    if (row === null) return null
    return { ...toScan(row), errorCount: await scanErrorCount(db, row.id) }
  }

  return {
    readiness,
    pool: poolFigures,
    queueDepths,
    queueFailures,
    transcodes: () => sources.transcoder ?? null,
    caches: () => sources.caches?.() ?? null,
    responseCacheLookups: () => sources.responseCacheLookups?.() ?? null,
    parseThreads: () => sources.parseThreads?.() ?? null,
    scanTotals: async (): Promise<ScanTotals> => await scanTotals(db),

    // Everything an admin (or the app's settings page) shows about the server, in one answer.
    status: async (): Promise<AdminStatusT> => {
      const [ready, library, dueForAnalysis, scan, queues, facts, usage] = await Promise.all([
        readiness({ freshAnalysis: true }),
        libraryCounts(db),
        sources.analysis.dueForAnalysis(),
        lastScan(),
        queueDepths().catch(() => null),
        databaseFacts(db),
        disk()
      ])
      const transcoder = sources.transcoder
      return {
        ...ready,
        versions: { service: sources.version, node: process.versions.node, database: facts.version },
        startedAt: sources.startedAt.toISOString(),
        uptimeSeconds: Math.floor((Date.now() - sources.startedAt.getTime()) / 1000),
        database: { kind: sources.databaseKind, pool: poolFigures() },
        library,
        tracksDueForAnalysis: dueForAnalysis,
        isScanning: scan !== null && (scan.status === 'queued' || scan.status === 'running'),
        lastScan: scan,
        queues,
        transcodes: transcoder === undefined ? null : { running: transcoder.running, queued: transcoder.queued, slots: transcoder.slots },
        caches: sources.caches?.() ?? null,
        disk: usage
      }
    }
  }
}

export type Ops = ReturnType<typeof createOps>
