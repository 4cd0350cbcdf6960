import { Type } from '@sinclair/typebox'

export const ANALYSIS_BODY_LIMIT = 256 * 1024

export const AnalysisBody = Type.Object({}, {
  additionalProperties: true,
  $id: 'TrackAnalysis',
  description: 'Free-form analysis results (e.g. { "bpm": 128, "key": "8A", "loudness": -9.1, "waveform": [...] }), ' +
    `stored as given; at most ${ANALYSIS_BODY_LIMIT / 1024} KiB of JSON. Replaces the previous analysis.`
})
