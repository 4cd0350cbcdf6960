// Analysis dispatch: which tracks go on the `analysis` queue for external DSP workers, and when.
// Nothing is published unless ANALYSIS=on; each track has at most one pending job, named after
// the track and the state of its file, so a retag or a move before the analysis replaces the
// waiting job; and the queue never holds more than ANALYSIS_MAX_PENDING jobs. A scan marks the
// tracks it writes due in its own transaction and clears the mark once their job is published,
// so a publish that fails is taken up by the batch's retry, and tracks left out (the queue was
// full, or analysis was off when they were indexed) by a backfill, once a consumer is there.
import { createHash } from 'node:crypto'
import type { Queryable } from '../db/queryable.js'
import type { JobQueue, KeyedJob, PublishOutcome } from '../queue/job-queue.js'
import { clearDue, countDue, dueTracks, lastResultAt, markedDueAt, type DueTrack } from './analysis-repository.js'
import { CONSUMER_RECENT_MINUTES, type AnalysisDispatchT, type BackfillResultT } from '../../schemas/analysis.js'

// What a consumer receives (docs/analysis-workers.md).
export interface AnalysisJobData { trackId: string, path: string, root: string }

export interface AnalysisSettings {
  enabled: boolean
  maxPending: number
  // MEDIA_PATH, sent with each job for consumers that share the mount.
  mediaPath: string
}

// Carries its HTTP status, so the error handler answers with it as for any other 4xx.
export class AnalysisError extends Error {
  constructor (readonly statusCode: 409, message: string, readonly code: string) {
    super(message)
    this.name = 'AnalysisError'
  }
}

const BACKFILL_PAGE = 1000
const NO_ID = '00000000-0000-0000-0000-000000000000'
// The health answer is public and may be asked for often: what it costs Redis (a CLIENT LIST
// among others) is shared by the calls of this long.
const DISPATCH_REUSE_MS = 2000

// The job's id: the track, then a digest of where its file is and its size and modification
// time, so a changed file gets a new id and an unchanged one the same. BullMQ refuses ':' in ids.
export function analysisJobId (track: Pick<DueTrack, 'id' | 'path' | 'size' | 'mtimeMs'>): string {
  const state = createHash('sha256').update(`${track.path}\0${track.size}\0${Math.trunc(track.mtimeMs)}`).digest('hex').slice(0, 16)
  return `${track.id}.${state}`
}

export function createAnalysisService (deps: { db: Queryable, queue: JobQueue, settings: AnalysisSettings }) {
  const { db, queue, settings } = deps
  let backfilling = false

  // replace: a scan publishes the state it has just written, the newest there is. A backfill
  // read its page earlier, and a scan may have published a newer state meanwhile: it never
  // replaces a pending job, and a track whose pending job is for another state stays due.
  const jobsFor = (tracks: DueTrack[], replace: boolean): Array<KeyedJob<AnalysisJobData>> => tracks.map((track) => ({
    key: track.id,
    id: analysisJobId(track),
    data: { trackId: track.id, path: track.path, root: settings.mediaPath },
    replace
  }))

  const publish = async (tracks: DueTrack[], from: 'scan' | 'backfill'): Promise<PublishOutcome> => {
    const outcome = await queue.publishLatest('analysis', jobsFor(tracks, from === 'scan'), { maxPending: settings.maxPending, retryFailed: from === 'backfill' })
    const settled = new Set(outcome.settledKeys)
    await clearDue(db, tracks.filter((t) => t.due && settled.has(t.id)))
    return outcome
  }

  const readDispatch = async (): Promise<AnalysisDispatchT> => {
    const [pending, consumers, lastAt] = await Promise.all([
      queue.depth('analysis').then((d) => d.waiting + d.delayed + d.active, () => null),
      queue.consumers('analysis').catch(() => null),
      lastResultAt(db).catch(() => null)
    ])
    const recent = lastAt !== null && Date.now() - lastAt.getTime() < CONSUMER_RECENT_MINUTES * 60_000
    return {
      enabled: settings.enabled,
      maxPending: settings.maxPending,
      pending,
      consumers,
      lastResultAt: lastAt?.toISOString() ?? null,
      consumerSeen: (consumers ?? 0) > 0 || recent
    }
  }
  let shared: { at: number, answer: Promise<AnalysisDispatchT> } | null = null
  // fresh: read now (an admin's status page, a backfill's check), and share that answer.
  const dispatch = async (opts: { fresh?: boolean } = {}): Promise<AnalysisDispatchT> => {
    if (opts.fresh === true || shared === null || Date.now() - shared.at > DISPATCH_REUSE_MS) shared = { at: Date.now(), answer: readDispatch() }
    return await shared.answer
  }

  return {
    enabled: settings.enabled,

    // After a scan batch is written: publishes its tracks still due (those it just wrote, or,
    // on a retried batch, those an earlier attempt could not publish). null: analysis is off.
    publishDue: async (paths: string[]): Promise<PublishOutcome | null> => {
      if (!settings.enabled || paths.length === 0) return null
      const due = await markedDueAt(db, paths)
      return due.length === 0 ? null : await publish(due, 'scan')
    },

    dispatch,

    // Publishes the tracks due for analysis (none yet, or marked due), a page at a time, until
    // the queue is full.
    backfill: async (): Promise<BackfillResultT> => {
      if (!settings.enabled) throw new AnalysisError(409, 'Analysis is off: set ANALYSIS=on to publish tracks for analysis', 'ANALYSIS_OFF')
      if (backfilling) throw new AnalysisError(409, 'A backfill is already running', 'BACKFILL_RUNNING')
      backfilling = true
      try {
        await queue.assertReachable()
        // Fresh, not the shared answer: a consumer may have just come.
        const seen = await dispatch({ fresh: true })
        if (!seen.consumerSeen) {
          throw new AnalysisError(409, 'No analysis consumer has been seen: start one (docs/analysis-workers.md), then backfill', 'NO_ANALYSIS_CONSUMER')
        }
        const result: BackfillResultT = { published: 0, alreadyPending: 0, skipped: 0, dueForAnalysis: await countDue(db) }
        let after = NO_ID
        for (;;) {
          const page = await dueTracks(db, after, BACKFILL_PAGE)
          if (page.length === 0) break
          after = page[page.length - 1].id
          const outcome = await publish(page, 'backfill')
          result.published += outcome.added + outcome.replaced
          result.alreadyPending += outcome.unchanged
          result.skipped += outcome.skipped
          if (outcome.skipped > 0) {
            // Full: the rest stays for the next backfill.
            result.skipped += await countDue(db, after)
            break
          }
        }
        return result
      } finally {
        backfilling = false
      }
    },

    dueForAnalysis: async (): Promise<number> => await countDue(db)
  }
}

export type AnalysisService = ReturnType<typeof createAnalysisService>
