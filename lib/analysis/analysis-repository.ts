// Analysis results from external DSP workers: stored as given, beside the scanner's columns.
import type { Queryable } from '../db/queryable.js'

export async function saveAnalysis (db: Queryable, trackId: string, analysis: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE tracks SET analysis = $2::jsonb, analysis_updated_at = now() WHERE id = $1',
    [trackId, JSON.stringify(analysis)])
  return (rowCount ?? 0) > 0
}

export interface UnanalysedTrack {
  id: string
  path: string
  size: number
  mtimeMs: number
}

// Tracks without analysis after `afterId`, in id order: a backfill's next page.
export async function tracksWithoutAnalysis (db: Queryable, afterId: string, limit: number): Promise<UnanalysedTrack[]> {
  const { rows } = await db.query<{ id: string, file_path: string, file_size: string, file_mtime_ms: string }>(
    `SELECT id, file_path, file_size, file_mtime_ms FROM tracks
      WHERE analysis IS NULL AND id > $1 ORDER BY id LIMIT ${Math.trunc(limit)}`, [afterId])
  return rows.map((r) => ({ id: r.id, path: r.file_path, size: Number(r.file_size), mtimeMs: Number(r.file_mtime_ms) }))
}

export async function countWithoutAnalysis (db: Queryable, afterId?: string): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    afterId === undefined
      ? 'SELECT count(*) AS n FROM tracks WHERE analysis IS NULL'
      : 'SELECT count(*) AS n FROM tracks WHERE analysis IS NULL AND id > $1',
    afterId === undefined ? [] : [afterId])
  return Number(rows[0].n)
}

// When the newest analysis result arrived: null when none ever did.
export async function lastResultAt (db: Queryable): Promise<Date | null> {
  const { rows } = await db.query<{ at: Date | string | null }>('SELECT max(analysis_updated_at) AS at FROM tracks')
  const at = rows[0]?.at ?? null
  return at === null ? null : new Date(at)
}
