// The one module that writes the scans and scan_errors tables: a scan's row, its counters, and
// the paths it lists as failed, skipped or warned about.
import type { Static } from '@sinclair/typebox'
import type { Queryable } from '../db/queryable.js'
import { iso } from '../iso-time.js'
import type { Scan as ScanSchema, ScanProgress as ScanProgressSchema } from '../../schemas/scan.js'

export type Scan = Static<typeof ScanSchema>
export type ScanProgress = Static<typeof ScanProgressSchema>
// Where a scan is in its life (queued … aborted); ScanPhase is what its running part is doing.
export type ScanState = Scan['status']
export type ScanPhase = ScanProgress['phase']

export interface ScanRow {
  id: string
  status: ScanState
  phase: ScanPhase
  started_at: Date | string
  finished_at: Date | string | null
  files_seen: number
  total: number
  processed: number
  added: number
  updated: number
  removed: number
  failed: number
  skipped: number
  warnings: number
  analysis_skipped: number
  current_file: string | null
  error: string | null
}

export function toScan (row: ScanRow): Scan {
  return {
    id: row.id,
    status: row.status,
    startedAt: iso(row.started_at),
    finishedAt: row.finished_at === null ? null : iso(row.finished_at),
    filesSeen: row.files_seen,
    added: row.added,
    updated: row.updated,
    removed: row.removed,
    failed: row.failed,
    skipped: row.skipped,
    warnings: row.warnings,
    analysisSkipped: row.analysis_skipped,
    error: row.error
  }
}

export function toProgress (row: ScanRow | null, now = Date.now()): ScanProgress {
  if (row === null) {
    return { phase: 'complete', processed: 0, total: 0, percentage: 0, currentFile: null, estimatedTimeRemaining: null }
  }
  const total = row.total
  const processed = Math.min(row.processed, total)
  const done = row.status === 'completed'
  const percentage = done ? 100 : total === 0 ? 0 : Math.floor((processed / total) * 100)
  let eta: number | null = null
  if (row.status === 'running' && row.phase === 'indexing' && processed > 0 && total > processed) {
    const elapsed = (now - new Date(row.started_at).getTime()) / 1000
    eta = Math.round((elapsed / processed) * (total - processed))
  }
  return {
    phase: row.phase,
    processed,
    total,
    percentage,
    currentFile: row.status === 'running' ? row.current_file : null,
    estimatedTimeRemaining: eta
  }
}

const SCAN_COLUMNS = 'id, status, phase, started_at, finished_at, files_seen, total, processed, added, updated, removed, failed, skipped, warnings, analysis_skipped, current_file, error'

// Creates a queued scan unless one is queued or running (scans_one_active_idx), in which case
// that one is returned with created = false.
export async function createOrGetActiveScan (db: Queryable): Promise<{ scan: ScanRow, created: boolean }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db.query<ScanRow>(`INSERT INTO scans (status) VALUES ('queued') ON CONFLICT DO NOTHING RETURNING ${SCAN_COLUMNS}`)
    if (inserted.rows.length > 0) return { scan: inserted.rows[0], created: true }
    const active = await activeScan(db)
    // The active scan may finish between the two statements; then try again.
    if (active !== null) return { scan: active, created: false }
  }
  throw new Error('could not create a scan')
}

export async function activeScan (db: Queryable): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(`SELECT ${SCAN_COLUMNS} FROM scans WHERE status IN ('queued', 'running') LIMIT 1`)
  return rows[0] ?? null
}

export async function latestScan (db: Queryable): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(`SELECT ${SCAN_COLUMNS} FROM scans ORDER BY started_at DESC, id LIMIT 1`)
  return rows[0] ?? null
}

export async function getScan (db: Queryable, id: string): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(`SELECT ${SCAN_COLUMNS} FROM scans WHERE id = $1`, [id])
  return rows[0] ?? null
}

export async function scanErrors (db: Queryable, id: string, limit = 1000): Promise<Array<{ path: string, message: string }>> {
  const { rows } = await db.query<{ path: string, message: string }>(
    'SELECT path, message FROM scan_errors WHERE scan_id = $1 ORDER BY id LIMIT $2', [id, limit])
  return rows
}

// A re-run of the scan job (after a worker died) starts the walk over: its counters restart too,
// while the per-batch counters (added/updated/failed) stay, being written exactly once per batch.
export async function markRunning (db: Queryable, id: string): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(
    `UPDATE scans SET status = 'running', phase = 'scanning', files_seen = 0, total = 0
     WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${SCAN_COLUMNS}`, [id])
  return rows[0] ?? null
}

// `total` is absolute: the files this run has queued plus what earlier runs of the scan had
// indexed. (processed + queued would count twice every batch indexed while the walk goes on.)
export async function recordWalkProgress (db: Queryable, id: string, filesSeen: number, total: number, currentFile: string | null): Promise<void> {
  await db.query('UPDATE scans SET files_seen = $2, total = $3, current_file = $4 WHERE id = $1',
    [id, filesSeen, total, currentFile])
}

export async function startIndexingPhase (db: Queryable, id: string, filesSeen: number, total: number): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(
    `UPDATE scans SET phase = 'indexing', files_seen = $2, total = $3 WHERE id = $1 RETURNING ${SCAN_COLUMNS}`,
    [id, filesSeen, total])
  return rows[0] ?? null
}

export async function finishScan (db: Queryable, id: string, status: 'completed' | 'failed' | 'aborted', error: string | null, removed = 0): Promise<ScanRow | null> {
  const { rows } = await db.query<ScanRow>(
    `UPDATE scans SET status = $2, phase = $3, error = $4, removed = removed + $5, finished_at = now(), current_file = NULL
     WHERE id = $1 RETURNING ${SCAN_COLUMNS}`,
    [id, status, status === 'completed' ? 'complete' : 'error', error, removed])
  return rows[0] ?? null
}

// Scans left queued/running by a process that died; only used where that process was the only
// one that could run them (in-process jobs).
export async function failInterruptedScans (db: Queryable): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE scans SET status = 'failed', phase = 'error', finished_at = now(), error = 'interrupted: the process running it stopped'
     WHERE status IN ('queued', 'running')`)
  return rowCount ?? 0
}

export async function deleteScan (db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM scans WHERE id = $1', [id])
}

export interface ListedPath { path: string, message: string }

// Files the scan did not index though it did not read them (lib/scan/unindexed-files.ts), counted
// as failed or skipped. One statement, so the listing and the count never disagree.
export async function recordKnownProblems (db: Queryable, scanId: string, known: Array<ListedPath & { skipped: boolean }>): Promise<void> {
  if (known.length === 0) return
  await db.query(
    `WITH listed AS (
       INSERT INTO scan_errors (scan_id, path, message)
       SELECT $1, x.path, x.message FROM unnest($2::text[], $3::text[]) AS x(path, message)
       WHERE NOT EXISTS (SELECT 1 FROM scan_errors e WHERE e.scan_id = $1 AND e.path = x.path)
       RETURNING path
     )
     UPDATE scans SET
       failed = failed + (SELECT count(*) FROM listed WHERE NOT (listed.path = ANY($4::text[]))),
       skipped = skipped + (SELECT count(*) FROM listed WHERE listed.path = ANY($4::text[]))
     WHERE id = $1`,
    [scanId, known.map((k) => k.path), known.map((k) => k.message), known.filter((k) => k.skipped).map((k) => k.path)])
}

// Warnings (lib/scan/scan-warnings.ts), counted on the scan in the same statement.
export async function recordWarnings (db: Queryable, scanId: string, warnings: ListedPath[]): Promise<void> {
  if (warnings.length === 0) return
  await db.query(
    `WITH added AS (
       INSERT INTO scan_errors (scan_id, path, message)
       SELECT $1, x.path, x.message FROM unnest($2::text[], $3::text[]) AS x(path, message)
       WHERE NOT EXISTS (SELECT 1 FROM scan_errors e WHERE e.scan_id = $1 AND e.path = x.path)
       RETURNING 1)
     UPDATE scans SET warnings = warnings + (SELECT count(*) FROM added)::int WHERE id = $1`,
    [scanId, warnings.map((w) => w.path), warnings.map((w) => w.message)])
}

export interface BatchCounts {
  // Files the batch handled: indexed, failed and skipped.
  processed: number
  added: number
  updated: number
  failed: number
  skipped: number
  lastFile: string | null
}

// An index batch's files that could not be indexed, and its counts. Called inside the batch's
// transaction, so a batch retried after a crash is neither listed nor counted twice.
// Tracks a batch did not publish for analysis because the queue held ANALYSIS_MAX_PENDING jobs.
export async function recordAnalysisSkipped (db: Queryable, scanId: string, skipped: number): Promise<void> {
  await db.query('UPDATE scans SET analysis_skipped = analysis_skipped + $2 WHERE id = $1', [scanId, skipped])
}

export async function recordIndexBatch (db: Queryable, scanId: string, problems: ListedPath[], counts: BatchCounts): Promise<void> {
  if (problems.length > 0) {
    await db.query(
      'INSERT INTO scan_errors (scan_id, path, message) SELECT $1, * FROM unnest($2::text[], $3::text[])',
      [scanId, problems.map((p) => p.path), problems.map((p) => p.message)])
  }
  await db.query(
    `UPDATE scans SET processed = processed + $2, added = added + $3, updated = updated + $4,
       failed = failed + $5, skipped = skipped + $6, current_file = $7 WHERE id = $1`,
    [scanId, counts.processed, counts.added, counts.updated, counts.failed, counts.skipped, counts.lastFile])
}
