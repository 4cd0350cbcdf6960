// The scan and index job handlers. They take their dependencies as arguments so the same code
// runs in the API process (in-process queue) and in worker.ts processes (BullMQ).
// A scan runs in four phases (lib/scan/phase-*.ts): walk and compare, index, tidy, finish.
import { join } from 'node:path'
import type { Pool } from 'pg'
import type { JobInfo, JobQueue } from '../queue/job-queue.js'
import { publishProgress, type ScanEventBus } from './scan-events.js'
import { parseAudio, type ParseOutcome } from './parse.js'
import { upsertBatch, type FileStamp, type ParsedFile } from './track-repository.js'
import { tracksByIds } from '../library/track-row.js'
import { compareWithLibrary, type FileProblem } from './unindexed-files.js'
import { markRunning, recordAnalysisSkipped, toScan } from './scan-repository.js'
import { exceedsLimit, parseOptionsOf, scanOptions, type ParseOptions, type ScanOptions } from './scan-options.js'
import { goneUnder } from './track-identity.js'
import { walkAndCompare, walkProgressReporter } from './phase-walk-and-compare.js'
import { waitForIndexing } from './phase-index.js'
import { tidyLibrary } from './phase-tidy.js'
import { abortScan, failScan, finishRun } from './phase-finish.js'
import { mapInLanes } from '../lanes.js'
import type { AnalysisService } from '../analysis/analysis-service.js'

// options: absent in jobs queued before scans had any (their defaults apply).
// folders: library-relative folders to scan (watch mode); absent, the whole library.
export interface ScanJobData { scanId: string, options?: Partial<ScanOptions>, folders?: string[] }
export interface IndexJobData { scanId: string, files: FileStamp[], options?: Partial<ScanOptions> }

export interface Logger {
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
}

// Parses a batch of files: an implementation may spread the work over threads.
export type BatchParser = (root: string, files: FileStamp[], options: ParseOptions) => Promise<ParseOutcome[]>

export interface JobDeps {
  pool: Pool
  queue: JobQueue
  events: ScanEventBus
  mediaPath: string
  batchSize: number
  parse: BatchParser
  log: Logger
  signal: AbortSignal
  analysis: Pick<AnalysisService, 'enabled' | 'publishDue'>
}

export function parseInProcess (concurrency: number): BatchParser {
  return async (root, files, options) =>
    await mapInLanes(files, concurrency, async (file) => await parseAudio(join(root, file.path), file.path, options.coverArtSizeLimit))
}

export async function runScanJob (deps: JobDeps, data: ScanJobData, job: JobInfo): Promise<void> {
  const { pool, queue, events, log, signal } = deps
  const { scanId } = data
  const started = await markRunning(pool, scanId)
  // Already finished (or deleted): a duplicate delivery has nothing to do.
  if (started === null) return
  log.info({ scanId, attempt: job.attempt }, 'scan started')
  await events.publish({ type: 'scan:start', scan: toScan(started) })
  const ending = { db: pool, events, log, scanId, signal }

  const progress = walkProgressReporter({ db: pool, events, log, scanId })
  try {
    const t0 = Date.now()
    const options = scanOptions(data.options)
    const walked = await walkAndCompare({
      db: pool,
      scanId,
      mediaPath: deps.mediaPath,
      folders: data.folders,
      batchSize: deps.batchSize,
      // A re-run (its worker died) finds the files earlier runs committed unchanged; they stay counted.
      indexedBefore: started.processed,
      enqueue: async (files) => await queue.add<IndexJobData>('index', { scanId, files, options }),
      onProgress: progress.offer,
      signal
    })
    await progress.settled()
    if ('refused' in walked) {
      await abortScan(ending, walked.refused)
      return
    }
    const timings: Record<string, number> = { walkMs: Date.now() - t0 }

    const { failedBatches } = await waitForIndexing({ db: pool, queue, events, scanId, filesSeen: walked.seen.length, total: walked.total, jobIds: walked.jobIds, signal })
    timings.indexMs = Date.now() - t0 - timings.walkMs

    const tidy = Date.now()
    const { removed } = await tidyLibrary({ pool, scanId, root: walked.root, mediaPath: deps.mediaPath, walk: walked.walk, seen: walked.seen, scope: walked.scope, signal })
    timings.tidyMs = Date.now() - tidy

    await finishRun({ db: pool, events, log, scanId, failedBatches, removed, timings })
  } catch (err) {
    await progress.settled()
    // Shutting down: leave the scan as it is so another worker (or the next start) takes it over.
    if (signal.aborted) throw err
    await failScan(ending, err)
  }
}

export async function runIndexJob (deps: JobDeps, data: IndexJobData): Promise<void> {
  const { pool, events, mediaPath } = deps
  // A retried batch (its worker died) skips what the first attempt already committed, failures
  // included (they were listed and counted then).
  const { changed } = await compareWithLibrary(pool, data.files)
  const options = scanOptions(data.options)
  const problems: FileProblem[] = []
  const files: FileStamp[] = []
  for (const file of changed) {
    // Not remembered: a later scan with a higher limit, or none, reads the file.
    if (exceedsLimit(file.size, options.scanFileSizeLimit)) {
      problems.push({ ...file, message: `skipped: ${file.size} bytes is over the scan's file size limit of ${options.scanFileSizeLimit}`, skipped: true, remember: false })
    } else {
      files.push(file)
    }
  }
  const outcomes = await deps.parse(mediaPath, files, parseOptionsOf(options))
  const parsed: ParsedFile[] = []
  outcomes.forEach((outcome, i) => {
    const file = files[i]
    if (outcome.kind === 'track') parsed.push({ ...file, tags: outcome.tags, contentKey: outcome.contentKey })
    else problems.push({ ...file, message: outcome.reason, skipped: outcome.kind === 'skipped', remember: outcome.kind === 'skipped' || !outcome.transient })
  })
  const result = await upsertBatch(pool, data.scanId, parsed, problems, goneUnder(mediaPath), { analysisDue: deps.analysis.enabled })
  const published = await deps.analysis.publishDue(data.files.map((f) => f.path))
  if (published !== null && published.skipped > 0) {
    await recordAnalysisSkipped(pool, data.scanId, published.skipped)
    deps.log.warn({ scanId: data.scanId, skipped: published.skipped }, 'analysis queue full (ANALYSIS_MAX_PENDING): tracks not published; POST /api/analysis/backfill publishes them later')
  }
  if (result.tracks.length > 0 && await events.hasListeners()) {
    // One event goes to every listener, whoever they are: it shows no one's favourites or plays.
    for (const track of await tracksByIds(pool, null, result.tracks.map((t) => t.id))) {
      await events.publish({ type: 'track:indexed', scanId: data.scanId, track })
    }
  }
  await publishProgress(events, pool, data.scanId)
}
