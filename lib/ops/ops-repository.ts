// What the operations readers (metrics, the admin status) ask the database.
import type { Queryable } from '../db/queryable.js'

// Every scan so far, summed: the counters /metrics exposes, from the one place every process
// writes them, so a scan run by a worker counts as much as one run here and a restart loses none.
export interface ScanTotals {
  running: number
  byStatus: Record<'completed' | 'failed' | 'aborted', number>
  filesSeen: number
  added: number
  updated: number
  removed: number
  failed: number
  skipped: number
  // Wall time of the finished scans.
  durationSeconds: number
  // The latest finished scan's wall time, or null before the first.
  lastDurationSeconds: number | null
}

interface TotalsRow {
  running: string
  completed: string
  failed_scans: string
  aborted: string
  files_seen: string
  added: string
  updated: string
  removed: string
  failed: string
  skipped: string
  duration: number
  last_duration: number | null
}

export async function scanTotals (db: Queryable): Promise<ScanTotals> {
  const { rows } = await db.query<TotalsRow>(
    `SELECT count(*) FILTER (WHERE status IN ('queued', 'running')) AS running,
            count(*) FILTER (WHERE status = 'completed') AS completed,
            count(*) FILTER (WHERE status = 'failed') AS failed_scans,
            count(*) FILTER (WHERE status = 'aborted') AS aborted,
            coalesce(sum(files_seen), 0) AS files_seen, coalesce(sum(added), 0) AS added,
            coalesce(sum(updated), 0) AS updated, coalesce(sum(removed), 0) AS removed,
            coalesce(sum(failed), 0) AS failed, coalesce(sum(skipped), 0) AS skipped,
            coalesce(sum(extract(epoch FROM finished_at - started_at)) FILTER (WHERE finished_at IS NOT NULL), 0)::float8 AS duration,
            (SELECT extract(epoch FROM finished_at - started_at)::float8 FROM scans
              WHERE finished_at IS NOT NULL ORDER BY finished_at DESC LIMIT 1) AS last_duration
       FROM scans`)
  const r = rows[0]
  return {
    running: Number(r.running),
    byStatus: { completed: Number(r.completed), failed: Number(r.failed_scans), aborted: Number(r.aborted) },
    filesSeen: Number(r.files_seen),
    added: Number(r.added),
    updated: Number(r.updated),
    removed: Number(r.removed),
    failed: Number(r.failed),
    skipped: Number(r.skipped),
    durationSeconds: Number(r.duration),
    lastDurationSeconds: r.last_duration === null ? null : Number(r.last_duration)
  }
}

// Errors and warnings recorded for one scan (its errors list shows at most the first 1,000).
export async function scanErrorCount (db: Queryable, scanId: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*) AS n FROM scan_errors WHERE scan_id = $1', [scanId])
  return Number(rows[0].n)
}

export interface DatabaseFacts {
  version: string
  sizeBytes: number
}

export async function databaseFacts (db: Queryable): Promise<DatabaseFacts> {
  const { rows } = await db.query<{ version: string, size: string }>(
    "SELECT current_setting('server_version') AS version, pg_database_size(current_database()) AS size")
  return { version: rows[0].version, sizeBytes: Number(rows[0].size) }
}
