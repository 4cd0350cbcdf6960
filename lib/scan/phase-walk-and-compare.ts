// Phase 1 of a scan: walk the media root (or the folders of a scoped scan), compare each file's
// stamp with the library, and queue the new and changed ones in index batches as the walk goes,
// so parsing starts long before a large library's walk ends.
import type { Queryable } from '../db/queryable.js'
import { resolveRoot, RootUnavailableError, type WalkResult } from './walk.js'
import { planScope, rootIsEmpty, walkScope, type ScopePlan } from './scan-scope.js'
import { compareWithLibrary, reportKnownProblems } from './unindexed-files.js'
import type { FileStamp } from './track-repository.js'
import { recordWalkProgress } from './scan-repository.js'
import { publishProgress, type ScanEventBus } from './scan-events.js'

// How many walked files are compared with the database in one query.
const COMPARE_BATCH = 1000
const PROGRESS_EVERY_MS = 300

export interface WalkAndCompareInput {
  db: Queryable
  scanId: string
  mediaPath: string
  // Library-relative folders of a scoped scan (watch mode); undefined, the whole library.
  folders: string[] | undefined
  // Files per index batch.
  batchSize: number
  // What earlier runs of this scan indexed (a re-run after its worker died): counted in the total.
  indexedBefore: number
  // Queues one index batch; resolves to its job id.
  enqueue: (files: FileStamp[]) => Promise<string>
  // Called for every walked file; the caller decides how often it is worth writing down.
  onProgress: (filesSeen: number, total: number, currentFile: string) => void
  signal: AbortSignal
}

export interface Walked {
  // The media root's real path.
  root: string
  scope: ScopePlan | undefined
  walk: WalkResult
  // Library-relative paths of every audio file the walk saw.
  seen: string[]
  // The index batches queued.
  jobIds: string[]
  // Files to index over the whole scan: earlier runs' and this run's queued ones.
  total: number
}

// Nothing may be removed when the root is missing or looks unmounted: the scan ends there.
export interface WalkRefused { refused: string }

export async function walkAndCompare (input: WalkAndCompareInput): Promise<Walked | WalkRefused> {
  const { db, scanId, batchSize, enqueue } = input
  let root: string
  try {
    root = await resolveRoot(input.mediaPath)
  } catch (err) {
    if (err instanceof RootUnavailableError) return { refused: `${err.message}; nothing was removed` }
    throw err
  }
  const scope = await planScope(root, input.folders)
  const walk: WalkResult = { folderCovers: new Map() }
  const seen: string[] = []
  const jobIds: string[] = []
  let toCompare: FileStamp[] = []
  let toIndex: FileStamp[] = []
  let queued = 0

  const compare = async (): Promise<void> => {
    const { changed, known } = await compareWithLibrary(db, toCompare)
    toCompare = []
    await reportKnownProblems(db, scanId, known)
    queued += changed.length
    for (const file of changed) {
      toIndex.push(file)
      if (toIndex.length >= batchSize) {
        jobIds.push(await enqueue(toIndex))
        toIndex = []
      }
    }
  }

  for await (const file of walkScope(root, walk, scope)) {
    input.signal.throwIfAborted()
    seen.push(file.path)
    toCompare.push(file)
    if (toCompare.length >= COMPARE_BATCH) await compare()
    input.onProgress(seen.length, input.indexedBefore + queued, file.path)
  }
  await compare()
  if (toIndex.length > 0) jobIds.push(await enqueue(toIndex))

  // An empty root is most likely an unmounted disk: keep the library as it is.
  if (seen.length === 0 && (scope === undefined || await rootIsEmpty(root))) {
    return { refused: `no audio files found in the media root ${input.mediaPath}; nothing was removed` }
  }
  return { root, scope, walk, seen, jobIds, total: input.indexedBefore + queued }
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

export interface WalkProgressReporter {
  // walkAndCompare's onProgress.
  offer: (filesSeen: number, total: number, currentFile: string) => void
  // Resolves once the report being written (if any) is written.
  settled: () => Promise<void>
}

// Walk progress is written beside the walk, one write at a time. Awaited inline, a write that
// waited for a pooled connection longer than PROGRESS_EVERY_MS (a busy API holds them all) was
// due again at once, and the walk advanced one file per two queries: under the soak's load a
// rescan compared 2,000 files in five minutes.
export function walkProgressReporter (opts: { db: Queryable, events: ScanEventBus, log: { warn: (obj: object, msg?: string) => void }, scanId: string }): WalkProgressReporter {
  const { db, events, log, scanId } = opts
  const due = throttle(PROGRESS_EVERY_MS)
  let writing: Promise<void> | null = null
  return {
    offer: (filesSeen, total, currentFile) => {
      if (writing !== null || !due()) return
      writing = (async () => {
        await recordWalkProgress(db, scanId, filesSeen, total, currentFile)
        await publishProgress(events, db, scanId)
      })().catch((err: unknown) => {
        // Only a progress report: the walk's own queries fail the scan if the database is gone.
        log.warn({ err, scanId }, 'could not record scan progress')
      }).finally(() => { writing = null })
    },
    // Later writes (the indexing phase, the outcome) must not be overtaken by a late report.
    settled: async () => { await writing }
  }
}
