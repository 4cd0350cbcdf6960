// Analysis dispatch: which tracks go on the `analysis` queue for external DSP workers, and when.
// Nothing is published unless ANALYSIS=on; each track has at most one pending job, named after
// the track and the state of its file, so a retag or a move before the analysis replaces the
// waiting job; and the queue never holds more than ANALYSIS_MAX_PENDING jobs. Tracks left out
// (the queue was full, or analysis was off when they were indexed) are published later by a
// backfill, once a consumer is there to take them.
import { createHash } from 'node:crypto'
import type { Queryable } from '../db/queryable.js'
import type { JobQueue, KeyedJob, PublishOutcome } from '../queue/job-queue.js'
import { countWithoutAnalysis, lastResultAt, tracksWithoutAnalysis } from './analysis-repository.js'
import { CONSUMER_RECENT_MINUTES, type AnalysisDispatchT, type BackfillResultT } from '../../schemas/analysis.js'

// What a consumer receives (docs/analysis-workers.md).
export interface AnalysisJobData { trackId: string, path: string, root: string }

// A track as its file is now: the job stands for this state of it.
export interface TrackFileState {
  id: string
  path: string
  size: number
  mtimeMs: number
}

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

// The job's id: the track, then a digest of where its file is and its size and modification
// time, so a changed file gets a new id and an unchanged one the same. BullMQ refuses ':' in ids.
export function analysisJobId (track: TrackFileState): string {
  const state = createHash('sha256').update(`${track.path}\0${track.size}\0${Math.trunc(track.mtimeMs)}`).digest('hex').slice(0, 16)
  return `${track.id}.${state}`
}

export function createAnalysisService (deps: { db: Queryable, queue: JobQueue, settings: AnalysisSettings }) {
  const { db, queue, settings } = deps
  let backfilling = false

  const jobsFor = (tracks: TrackFileState[]): Array<KeyedJob<AnalysisJobData>> => tracks.map((track) => ({
    key: track.id,
    id: analysisJobId(track),
    data: { trackId: track.id, path: track.path, root: settings.mediaPath }
  }))

  const dispatch = async (): Promise<AnalysisDispatchT> => {
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

  return {
    enabled: settings.enabled,

    // New or changed tracks of a scan batch. null: analysis is off, nothing was published.
    publishChanged: async (tracks: TrackFileState[]): Promise<PublishOutcome | null> => {
      if (!settings.enabled || tracks.length === 0) return null
      return await queue.publishLatest('analysis', jobsFor(tracks), { maxPending: settings.maxPending })
    },

    dispatch,

    // Publishes the tracks that have no analysis, a page at a time, until the queue is full.
    backfill: async (): Promise<BackfillResultT> => {
      if (!settings.enabled) throw new AnalysisError(409, 'Analysis is off: set ANALYSIS=on to publish tracks for analysis', 'ANALYSIS_OFF')
      if (backfilling) throw new AnalysisError(409, 'A backfill is already running', 'BACKFILL_RUNNING')
      backfilling = true
      try {
        await queue.assertReachable()
        const seen = await dispatch()
        if (!seen.consumerSeen) {
          throw new AnalysisError(409, 'No analysis consumer has been seen: start one (docs/analysis-workers.md), then backfill', 'NO_ANALYSIS_CONSUMER')
        }
        const result: BackfillResultT = { published: 0, alreadyPending: 0, skipped: 0, withoutAnalysis: await countWithoutAnalysis(db) }
        let after = NO_ID
        for (;;) {
          const page = await tracksWithoutAnalysis(db, after, BACKFILL_PAGE)
          if (page.length === 0) break
          after = page[page.length - 1].id
          const outcome = await queue.publishLatest('analysis', jobsFor(page), { maxPending: settings.maxPending, retryFailed: true })
          result.published += outcome.added + outcome.replaced
          result.alreadyPending += outcome.unchanged
          result.skipped += outcome.skipped
          if (outcome.skipped > 0) {
            // Full: the rest stays for the next backfill.
            result.skipped += await countWithoutAnalysis(db, after)
            break
          }
        }
        return result
      } finally {
        backfilling = false
      }
    },

    withoutAnalysis: async (): Promise<number> => await countWithoutAnalysis(db)
  }
}

export type AnalysisService = ReturnType<typeof createAnalysisService>
