// Analysis results from external DSP workers: stored as given, beside the scanner's columns.
import type { Queryable } from '../db/queryable.js'

export async function saveAnalysis (db: Queryable, trackId: string, analysis: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await db.query(
    // The due mark stays: the result may be for an older state of the file (sql/018).
    'UPDATE tracks SET analysis = $2::jsonb, analysis_updated_at = now() WHERE id = $1',
    [trackId, JSON.stringify(analysis)])
  return (rowCount ?? 0) > 0
}

export interface DueTrack {
  id: string
  path: string
  size: number
  mtimeMs: number
  // Marked due by a scan (its file changed) rather than merely without analysis.
  due: boolean
}

type DueRow = { id: string, file_path: string, file_size: string, file_mtime_ms: string, analysis_due: boolean }

const toDue = (r: DueRow): DueTrack => ({ id: r.id, path: r.file_path, size: Number(r.file_size), mtimeMs: Number(r.file_mtime_ms), due: r.analysis_due })

// What a backfill publishes: tracks without analysis, and tracks whose file changed since and
// whose publish failed or was refused; after `afterId`, in id order, a page at a time.
const DUE = 'analysis IS NULL OR analysis_due'

export async function dueTracks (db: Queryable, afterId: string, limit: number): Promise<DueTrack[]> {
  const { rows } = await db.query<DueRow>(
    `SELECT id, file_path, file_size, file_mtime_ms, analysis_due FROM tracks
      WHERE (${DUE}) AND id > $1 ORDER BY id LIMIT ${Math.trunc(limit)}`, [afterId])
  return rows.map(toDue)
}

// The tracks at these paths that a scan marked due and no publish has taken yet.
export async function markedDueAt (db: Queryable, paths: string[]): Promise<DueTrack[]> {
  const { rows } = await db.query<DueRow>(
    'SELECT id, file_path, file_size, file_mtime_ms, analysis_due FROM tracks WHERE file_path = ANY($1::text[]) AND analysis_due', [paths])
  return rows.map(toDue)
}

// Published: no longer due, unless the file changed again meanwhile (another state, marked anew).
export async function clearDue (db: Queryable, tracks: DueTrack[]): Promise<void> {
  if (tracks.length === 0) return
  await db.query(
    `UPDATE tracks t SET analysis_due = false
       FROM unnest($1::uuid[], $2::text[], $3::bigint[], $4::bigint[]) AS p(id, file_path, file_size, file_mtime_ms)
      WHERE t.id = ANY($1::uuid[]) AND t.id = p.id AND t.analysis_due AND t.file_path = p.file_path AND t.file_size = p.file_size AND t.file_mtime_ms = p.file_mtime_ms`,
    [tracks.map((t) => t.id), tracks.map((t) => t.path), tracks.map((t) => t.size), tracks.map((t) => Math.trunc(t.mtimeMs))])
}

export async function countDue (db: Queryable, afterId?: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    afterId === undefined
      ? `SELECT count(*) AS n FROM tracks WHERE ${DUE}`
      : `SELECT count(*) AS n FROM tracks WHERE (${DUE}) AND id > $1`,
    afterId === undefined ? [] : [afterId])
  return Number(rows[0].n)
}

// When the newest analysis result arrived: null when none ever did.
export async function lastResultAt (db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | string | null }>('SELECT max(analysis_updated_at) AS at FROM tracks')
  const at = rows[0]?.at ?? null
  return at === null ? null : new Date(at)
}
