import { Type, type Static } from '@sinclair/typebox'
import { DateTime } from './common.js'

// How long after its last result a consumer still counts as seen.
export const CONSUMER_RECENT_MINUTES = 15

export const ANALYSIS_BODY_LIMIT = 256 * 1024

export const AnalysisBody = Type.Object({}, {
  additionalProperties: true,
  $id: 'TrackAnalysis',
  description: 'Free-form analysis results (e.g. { "bpm": 128, "key": "8A", "loudness": -9.1, "waveform": [...] }), ' +
    `stored as given; at most ${ANALYSIS_BODY_LIMIT / 1024} KiB of JSON. Replaces the previous analysis.`
})

const Count = Type.Integer({ minimum: 0 })

export const AnalysisDispatch = Type.Object({
  enabled: Type.Boolean({ description: 'ANALYSIS=on: new and changed tracks are published on the `analysis` queue' }),
  maxPending: Type.Integer({ minimum: 0, description: 'ANALYSIS_MAX_PENDING: beyond this many unfinished jobs, new tracks are not published (a scan counts them in analysisSkipped)' }),
  pending: Type.Union([Count, Type.Null()], { description: 'Analysis jobs waiting, delayed or running; null when the queue cannot be read (Redis down)' }),
  consumers: Type.Union([Count, Type.Null()], {
    description: 'Processes consuming the analysis queue now (BullMQ workers, found by their connection names); ' +
      'null when Redis cannot tell. Always 0 without Redis: nothing outside the process can take in-process jobs'
  }),
  lastResultAt: Type.Union([DateTime, Type.Null()], { description: 'When the newest analysis result was stored (PUT /api/library/tracks/{id}/analysis)' }),
  consumerSeen: Type.Boolean({ description: `A consumer is connected now, or a result arrived in the last ${CONSUMER_RECENT_MINUTES} minutes` })
}, { description: 'Analysis dispatch: whether jobs are published, how many wait, and whether anyone takes them. Never makes the service unavailable.' })
export type AnalysisDispatchT = Static<typeof AnalysisDispatch>

export const BackfillResult = Type.Object({
  published: Type.Integer({ minimum: 0, description: 'Tracks due for analysis published now' }),
  alreadyPending: Type.Integer({ minimum: 0, description: 'Tracks due for analysis whose job was already waiting or running' }),
  skipped: Type.Integer({ minimum: 0, description: 'Tracks due for analysis left unpublished because the queue holds ANALYSIS_MAX_PENDING jobs: call again once it drains' }),
  dueForAnalysis: Type.Integer({ minimum: 0, description: 'Tracks due for analysis when the backfill began: without an analysis result, or changed since (with ANALYSIS=on) and not yet published' })
}, { $id: 'AnalysisBackfill' })
export type BackfillResultT = Static<typeof BackfillResult>
