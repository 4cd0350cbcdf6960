import { Type, type Static } from '@sinclair/typebox'
import { DateTime } from './common.js'
import { Readiness } from './health.js'
import { LibraryCounts, Scan } from './scan.js'

const Count = Type.Integer({ minimum: 0 })
const Bytes = Type.Integer({ minimum: 0, description: 'Bytes' })

const QueueDepth = Type.Object({
  waiting: Count,
  active: Count,
  delayed: Count,
  failed: Type.Integer({ minimum: 0, description: 'Jobs that failed for good and are still kept (with Redis: the last 2,000; in-process: since start-up)' })
})

const CacheFigures = Type.Object({ entries: Count, bytes: Bytes })

export const AdminStatus = Type.Composite([Readiness, Type.Object({
  versions: Type.Object({
    service: Type.String(),
    node: Type.String(),
    database: Type.String({ description: 'The PostgreSQL server\'s version (PGlite reports the PostgreSQL it embeds)' })
  }),
  startedAt: DateTime,
  uptimeSeconds: Count,
  database: Type.Object({
    kind: Type.Union([Type.Literal('postgres'), Type.Literal('pglite')]),
    pool: Type.Object({
      inUse: Type.Integer({ minimum: 0, description: 'Connections running a query or a transaction' }),
      idle: Count,
      waiting: Type.Integer({ minimum: 0, description: 'Queries waiting for a free connection' })
    })
  }),
  library: Type.Ref(LibraryCounts),
  tracksDueForAnalysis: Type.Integer({ minimum: 0, description: 'Tracks without an analysis result, or changed since (with ANALYSIS=on) and not yet published: what POST /api/analysis/backfill would publish' }),
  isScanning: Type.Boolean(),
  lastScan: Type.Union([
    Type.Intersect([Type.Ref(Scan), Type.Object({
      errorCount: Type.Integer({ minimum: 0, description: 'Errors and warnings recorded for this scan (GET /api/scans/{id} lists the first 1,000)' })
    })]),
    Type.Null()
  ], { description: 'The latest scan, or null before the first' }),
  queues: Type.Union([
    Type.Object({ scan: QueueDepth, index: QueueDepth, analysis: QueueDepth }),
    Type.Null()
  ], { description: 'Jobs per queue; null when Redis does not answer' }),
  transcodes: Type.Union([Type.Object({
    running: Count,
    queued: Type.Integer({ minimum: 0, description: 'Requests waiting for a free transcoder' }),
    slots: Type.Integer({ minimum: 0, description: 'TRANSCODE_MAX' })
  }), Type.Null()], { description: 'ffmpeg processes; null in a process that does not transcode' }),
  caches: Type.Union([Type.Object({
    response: CacheFigures,
    wholeLists: CacheFigures,
    transcodes: CacheFigures
  }), Type.Null()], { description: 'Entries and bytes of each cache; null in a process that serves no responses' }),
  disk: Type.Object({
    dataDir: Type.String({ description: 'DATA_DIR, as an absolute path' }),
    total: Type.Integer({ minimum: 0, description: 'Bytes under DATA_DIR, everything included' }),
    covers: Bytes,
    transcodes: Bytes,
    wholeLists: Bytes,
    database: Type.Integer({ minimum: 0, description: 'Bytes of the database: its folder under DATA_DIR (PGlite) or its size on the PostgreSQL server' }),
    databaseInDataDir: Type.Boolean({ description: 'true for PGlite, whose files are part of `total`' })
  }, { description: 'Disk used by the server\'s own data' })
})], {
  $id: 'AdminStatus',
  description: 'What GET /health/ready knows, and the figures an admin reads to see how the server is doing'
})
export type AdminStatusT = Static<typeof AdminStatus>
