import { Type, type Static } from '@sinclair/typebox'
import { DateTime } from './common.js'
import { Track } from './library.js'

const Count = Type.Integer({ minimum: 0 })

export const Scan = Type.Object({
  id: Type.String({ format: 'uuid' }),
  status: Type.Union([
    Type.Literal('queued'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('aborted')
  ], { description: 'aborted: the media root was missing, unreadable or empty, and nothing was removed' }),
  startedAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
  filesSeen: Type.Integer({ minimum: 0, description: 'Audio files found by the walk' }),
  added: Count,
  updated: Count,
  removed: Count,
  failed: Type.Integer({ minimum: 0, description: 'Files that could not be indexed (see the scan\'s errors); a file that failed before and has not changed (same size and modification time) is counted again without being read' }),
  skipped: Type.Integer({ minimum: 0, description: 'Files without an audio stream (video only)' }),
  warnings: Type.Integer({ minimum: 0, description: 'Warnings in the scan\'s errors (messages starting "warning: "): a completed scan with warnings completed with warnings, e.g. a folder it could not read, whose tracks it kept' }),
  analysisSkipped: Type.Integer({ minimum: 0, description: 'New or changed tracks not published for analysis because the queue held ANALYSIS_MAX_PENDING jobs (POST /api/analysis/backfill publishes them later); 0 with ANALYSIS=off' }),
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the scan failed or was aborted' })
}, { $id: 'Scan' })

export const ScanError = Type.Object({
  path: Type.String({ description: 'Library-relative path' }),
  message: Type.String()
}, { $id: 'ScanError' })

export const ScanWithErrors = Type.Intersect([
  Type.Ref(Scan),
  Type.Object({ errors: Type.Array(Type.Ref(ScanError), { description: 'Files that failed or were skipped, and warnings (first 1000)' }) })
], { $id: 'ScanWithErrors' })
export type ScanWithErrorsT = Static<typeof ScanWithErrors>

export const ScanProgress = Type.Object({
  phase: Type.Union([Type.Literal('scanning'), Type.Literal('indexing'), Type.Literal('complete'), Type.Literal('error')]),
  processed: Count,
  total: Count,
  percentage: Type.Integer({ minimum: 0, maximum: 100 }),
  currentFile: Type.Union([Type.String(), Type.Null()]),
  estimatedTimeRemaining: Type.Union([Type.Integer({ minimum: 0, description: 'seconds' }), Type.Null()])
}, { $id: 'ScanProgress' })

export const LibraryCounts = Type.Object({
  tracks: Count,
  artists: Count,
  albums: Count
}, { $id: 'LibraryCounts' })
export type LibraryCountsT = Static<typeof LibraryCounts>

export const ScanStatus = Type.Object({
  isScanning: Type.Boolean(),
  scan: Type.Union([Type.Ref(Scan), Type.Null()], { description: 'The latest scan, or null before the first' }),
  progress: Type.Ref(ScanProgress),
  stats: Type.Ref(LibraryCounts)
}, { $id: 'ScanStatus' })
export type ScanStatusT = Static<typeof ScanStatus>

const ByteLimit = (what: string): ReturnType<typeof Type.Integer> => Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  default: 0,
  description: `Bytes; 0 (the default) means no limit. ${what}`
})

// The web app's scan settings. Types are checked as sent (never coerced) and unknown properties
// are refused with their names.
export const ScanStartBody = Type.Object({
  scanFileSizeLimit: Type.Optional(ByteLimit(
    'A new or changed audio file larger than this is not read: it is counted as skipped (not failed) and listed ' +
    'among the scan\'s errors. Files already indexed are kept as they are.')),
  coverArtSizeLimit: Type.Optional(ByteLimit(
    'A file whose embedded cover picture is larger than this is indexed without a cover (hasEmbeddedCover false), so ' +
    'the picture is never extracted; its album uses another track\'s picture or a folder image (cover.jpg, …) instead.')),
  parallelScanning: Type.Optional(Type.Boolean({
    default: true,
    description: 'true (the default): tags are read on one thread per CPU core. false: on one thread, leaving the other cores free.'
  })),
  watchFolders: Type.Optional(Type.Boolean({
    default: false,
    description: 'true: also turns watch mode on (as WATCH=true does) until the server restarts: changes under the media ' +
      'folder start a scan of just the changed folders after a quiet period. false or absent: leaves watch mode as it is.'
  }))
}, {
  additionalProperties: false,
  description: 'Scan options, all optional; an empty object or no body at all scans with the defaults. While a scan is ' +
    'already queued or running, that scan is returned and keeps its own options (watchFolders: true still turns watch mode on). ' +
    'The limits apply to the files this scan reads: new and changed ones.'
})

const ScanId = Type.String({ format: 'uuid' })

export const ScanStartEvent = Type.Object({
  type: Type.Literal('scan:start'),
  scan: Type.Ref(Scan)
}, { description: 'A scan began running' })

export const ScanProgressEvent = Type.Object({
  type: Type.Literal('scan:progress'),
  scanId: ScanId,
  progress: Type.Ref(ScanProgress)
}, { description: 'A few per second at most' })

export const TrackIndexedEvent = Type.Object({
  type: Type.Literal('track:indexed'),
  scanId: ScanId,
  track: Type.Ref(Track)
}, { description: 'A track was added or updated. Sent to every listener alike, so the track shows no one\'s state: playCount 0, lastPlayed null, isFavorite false, rating null' })

// The most recent tracks a tracks:indexed summary carries.
export const SUMMARY_TRACKS = 20

export const TracksIndexedEvent = Type.Object({
  type: Type.Literal('tracks:indexed'),
  scanId: ScanId,
  count: Type.Integer({ minimum: 2, description: 'How many track:indexed events this summary stands for' }),
  tracks: Type.Array(Type.Ref(Track), { maxItems: SUMMARY_TRACKS, description: `The latest ${SUMMARY_TRACKS} of them` })
}, { description: 'Sent instead of track:indexed events to a client that reads more slowly than they come' })

export const ScanCompleteEvent = Type.Object({
  type: Type.Literal('scan:complete'),
  scan: Type.Ref(Scan),
  stats: Type.Ref(LibraryCounts)
}, { description: 'A scan completed (perhaps with warnings)' })

export const ScanErrorEvent = Type.Object({
  type: Type.Literal('scan:error'),
  scan: Type.Union([Type.Ref(Scan), Type.Null()], { description: 'null when the scan could not be read back' }),
  message: Type.String()
}, { description: 'A scan failed or was aborted' })

export const ScanEvent = Type.Union([
  ScanStartEvent, ScanProgressEvent, TrackIndexedEvent, TracksIndexedEvent, ScanCompleteEvent, ScanErrorEvent
], {
  $id: 'ScanEvent',
  description: 'The JSON of one Server-Sent Event from GET /api/scan/events: each message is unnamed (only a `data:` ' +
    'line), and its `type` says which of these it is. A `: ping` comment line comes every 15 s.'
})
