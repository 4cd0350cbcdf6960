import { Type, type Static } from '@sinclair/typebox'

const DateTime = Type.String({ format: 'date-time' })
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
  error: Type.Union([Type.String(), Type.Null()], { description: 'Why the scan failed or was aborted' })
}, { $id: 'Scan' })
export type ScanT = Static<typeof Scan>

export const ScanError = Type.Object({
  path: Type.String({ description: 'Library-relative path' }),
  message: Type.String()
}, { $id: 'ScanError' })

export const ScanWithErrors = Type.Intersect([
  Type.Ref(Scan),
  Type.Object({ errors: Type.Array(Type.Ref(ScanError), { description: 'Files that failed or were skipped, and warnings (first 1000)' }) })
], { $id: 'ScanWithErrors' })

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

export const ScanStatus = Type.Object({
  isScanning: Type.Boolean(),
  scan: Type.Union([Type.Ref(Scan), Type.Null()], { description: 'The latest scan, or null before the first' }),
  progress: Type.Ref(ScanProgress),
  stats: Type.Ref(LibraryCounts)
}, { $id: 'ScanStatus' })

export const ScanStartBody = Type.Object({}, { additionalProperties: false, description: 'Empty, or no body at all; no options yet' })

export const ScanEventsStream = Type.String({
  description: 'Server-Sent Events: unnamed messages whose `data:` JSON has `type` scan:start, scan:progress, ' +
    'track:indexed (with `track`), scan:complete (with `stats`) or scan:error; a `: ping` comment every 15 s.'
})
