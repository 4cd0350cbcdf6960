// The scan and index job handlers. They take their dependencies as arguments so the same code
// runs in the API process (in-process queue) and in worker.ts processes (BullMQ).
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Pool } from 'pg'
import type { JobInfo, JobQueue } from '../queue/job-queue.js'
import type { ScanEventBus } from './scan-events.js'
import { isDependencyDown } from '../dependency-errors.js'
import { resolveRoot, RootUnavailableError, type WalkResult } from './walk.js'
import { planScope, playlistFilesInView, rootIsEmpty, walkScope } from './scan-scope.js'
import { parseAudio, type ParseOutcome } from './parse.js'
import {
  upsertBatch, removeMissing, pruneEmpty, refreshAlbums, libraryStats, findTracksByIds, type FileStamp, type ParsedFile
} from './track-repository.js'
import { compareWithLibrary, reportKnownProblems, forgetMissing, type FileProblem } from './unindexed-files.js'
import {
  markRunning, recordWalkProgress, startIndexingPhase, finishScan, getScan, toScan, toProgress, type ScanRow
} from './scan-repository.js'
import { importPlaylistFiles } from '../playlists/m3u-import.js'
import { exceedsLimit, parseOptionsOf, scanOptions, type ParseOptions, type ScanOptions } from './scan-options.js'
import { keptFolders } from './kept-folders.js'
import { goneUnder } from './track-identity.js'
import { fillMissingContentKeys } from './content-key.js'
import { reportWarnings } from './scan-warnings.js'

// options: absent in jobs queued before scans had any (their defaults apply).
// folders: library-relative folders to scan (watch mode); absent, the whole library.
export interface ScanJobData { scanId: string, options?: Partial<ScanOptions>, folders?: string[] }
export interface IndexJobData { scanId: string, files: FileStamp[], options?: Partial<ScanOptions> }
export interface AnalysisJobData { trackId: string, path: string, root: string }

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
}

// How many walked files are compared with the database in one query.
const COMPARE_BATCH = 1000
const PROGRESS_EVERY_MS = 300

export function parseInProcess (concurrency: number): BatchParser {
  return async (root, files, options) => {
    const out: ParseOutcome[] = new Array(files.length)
    let next = 0
    const lanes = Array.from({ length: Math.min(concurrency, files.length) }, async () => {
      while (next < files.length) {
        const i = next++
        out[i] = await parseAudio(join(root, files[i].path), files[i].path, options.coverArtSizeLimit)
      }
    })
    await Promise.all(lanes)
    return out
  }
}

function throttle (ms: number): () => boolean {
  let last = 0
  return () => {
    const now = Date.now()
    if (now - last < ms) return false
    last = now
    return true
  }
}

async function publishProgress (deps: JobDeps, scanId: string): Promise<void> {
  const row = await getScan(deps.pool, scanId)
  if (row !== null) await deps.events.publish({ type: 'scan:progress', scanId, progress: toProgress(row) })
}

// Walk progress is written beside the walk, one write at a time. Awaited inline, a write that
// waited for a pooled connection longer than PROGRESS_EVERY_MS (a busy API holds them all) was
// due again at once, and the walk advanced one file per two queries: under the soak's load a
// rescan compared 2,000 files in five minutes.
function walkProgress (deps: JobDeps, scanId: string): { offer: (filesSeen: number, total: number, currentFile: string) => void, settled: () => Promise<void> } {
  const due = throttle(PROGRESS_EVERY_MS)
  let writing: Promise<void> | null = null
  return {
    offer: (filesSeen, total, currentFile) => {
      if (writing !== null || !due()) return
      writing = (async () => {
        await recordWalkProgress(deps.pool, scanId, filesSeen, total, currentFile)
        await publishProgress(deps, scanId)
      })().catch((err: unknown) => {
        // Only a progress report: the walk's own queries fail the scan if the database is gone.
        deps.log.warn({ err, scanId }, 'could not record scan progress')
      }).finally(() => { writing = null })
    },
    // Later writes (the indexing phase, the outcome) must not be overtaken by a late report.
    settled: async () => { await writing }
  }
}

export async function runScanJob (deps: JobDeps, data: ScanJobData, job: JobInfo): Promise<void> {
  const { pool, queue, events, log } = deps
  const { scanId } = data
  const started = await markRunning(pool, scanId)
  // Already finished (or deleted): a duplicate delivery has nothing to do.
  if (started === null) return
  log.info({ scanId, attempt: job.attempt }, 'scan started')
  await events.publish({ type: 'scan:start', scan: toScan(started) })

  const progress = walkProgress(deps, scanId)
  try {
    let root: string
    try {
      root = await resolveRoot(deps.mediaPath)
    } catch (err) {
      if (err instanceof RootUnavailableError) return await abort(deps, scanId, `${err.message}; nothing was removed`)
      throw err
    }

    const scope = await planScope(root, data.folders)
    const t0 = Date.now()
    const walk: WalkResult = { folderCovers: new Map() }
    const seen: string[] = []
    let compareBuffer: FileStamp[] = []
    let indexBuffer: FileStamp[] = []
    const jobIds: string[] = []
    let toIndex = 0
    // A re-run (its worker died) finds the files earlier runs committed unchanged; they stay counted.
    const indexedBefore = started.processed

    const enqueue = async (files: FileStamp[]): Promise<void> => {
      jobIds.push(await queue.add<IndexJobData>('index', { scanId, files, options: scanOptions(data.options) }))
    }
    const compare = async (): Promise<void> => {
      const { changed, known } = await compareWithLibrary(pool, compareBuffer)
      compareBuffer = []
      await reportKnownProblems(pool, scanId, known)
      toIndex += changed.length
      for (const file of changed) {
        indexBuffer.push(file)
        if (indexBuffer.length >= deps.batchSize) {
          await enqueue(indexBuffer)
          indexBuffer = []
        }
      }
    }

    for await (const file of walkScope(root, walk, scope)) {
      deps.signal.throwIfAborted()
      seen.push(file.path)
      compareBuffer.push(file)
      if (compareBuffer.length >= COMPARE_BATCH) await compare()
      progress.offer(seen.length, indexedBefore + toIndex, file.path)
    }
    await compare()
    if (indexBuffer.length > 0) await enqueue(indexBuffer)
    await progress.settled()

    // An empty root is most likely an unmounted disk: keep the library as it is.
    if (seen.length === 0 && (scope === undefined || await rootIsEmpty(root))) return await abort(deps, scanId, `no audio files found in the media root ${deps.mediaPath}; nothing was removed`)

    const timings: Record<string, number> = { walkMs: Date.now() - t0 }
    await startIndexingPhase(pool, scanId, seen.length, indexedBefore + toIndex)
    await publishProgress(deps, scanId)
    const { failed } = await queue.waitUntilDone('index', jobIds, deps.signal)
    timings.indexMs = Date.now() - t0 - timings.walkMs

    const tidy = Date.now()
    const kept = await keptFolders(pool, walk)
    await reportWarnings(pool, scanId, kept.warnings)
    const removed = await removeMissing(pool, seen, kept.folders, scope?.remove)
    await forgetMissing(pool, seen, scope?.remove)
    await pruneEmpty(pool)
    await refreshAlbums(pool, walk.folderCovers, scope?.walk)
    await importPlaylistFiles({ pool, root, mediaPath: deps.mediaPath, scanId, files: await playlistFilesInView(pool, walk.playlists ?? [], scope) })
    await fillMissingContentKeys(pool, root, deps.signal)
    timings.tidyMs = Date.now() - tidy
    const error = failed > 0 ? `${failed} index batch(es) failed; their files were not indexed` : null
    const finished = await finishScan(pool, scanId, failed > 0 ? 'failed' : 'completed', error, removed)
    if (finished === null) return
    const stats = await libraryStats(pool)
    log.info({ scanId, ...toScan(finished), stats, timings }, 'scan finished')
    if (error === null) await events.publish({ type: 'scan:complete', scan: toScan(finished), stats })
    else await events.publish({ type: 'scan:error', scan: toScan(finished), message: error })
  } catch (err) {
    await progress.settled()
    // Shutting down: leave the scan as it is so another worker (or the next start) takes it over.
    if (deps.signal.aborted) throw err
    log.error({ err, scanId }, 'scan failed')
    const message = `scan failed: ${err instanceof Error ? err.message : String(err)}`
    const finished = await finishOnceDatabaseAnswers(deps, scanId, message)
    await events.publish({ type: 'scan:error', scan: finished === null ? null : toScan(finished), message }).catch(() => {})
  }
}

// The database going away is the likeliest reason a scan fails, and then recording the failure
// fails too: left 'running', the scan would block every later one. Keep trying until it answers
// (or this process shuts down, which leaves the scan to the next worker or start-up).
async function finishOnceDatabaseAnswers (deps: JobDeps, scanId: string, message: string): Promise<ScanRow | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await finishScan(deps.pool, scanId, 'failed', message)
    } catch (err) {
      if (!isDependencyDown(err)) throw err
      if (attempt === 0) deps.log.warn({ scanId }, 'database unavailable; the scan will be marked failed once it is back')
      // Unref'd: a pending retry must never keep a process alive that is otherwise done.
      await sleep(Math.min(250 * 2 ** attempt, 5000), undefined, { signal: deps.signal, ref: false })
    }
  }
}

async function abort (deps: JobDeps, scanId: string, message: string): Promise<void> {
  deps.log.warn({ scanId }, message)
  const finished = await finishScan(deps.pool, scanId, 'aborted', message)
  await deps.events.publish({ type: 'scan:error', scan: finished === null ? null : toScan(finished), message })
}

export async function runIndexJob (deps: JobDeps, data: IndexJobData): Promise<void> {
  const { pool, queue, events, mediaPath } = deps
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
  const result = await upsertBatch(pool, data.scanId, parsed, problems, goneUnder(mediaPath))

  if (result.tracks.length > 0) {
    await queue.addBulk<AnalysisJobData>('analysis', result.tracks.map((t) => ({ trackId: t.id, path: t.path, root: mediaPath })))
  }
  if (result.tracks.length > 0 && await events.hasListeners()) {
    for (const track of await findTracksByIds(pool, result.tracks.map((t) => t.id))) {
      await events.publish({ type: 'track:indexed', scanId: data.scanId, track })
    }
  }
  await publishProgress(deps, data.scanId)
}
