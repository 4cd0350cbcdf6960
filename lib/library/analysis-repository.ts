// Analysis results from external DSP workers: stored as given, beside the scanner's columns.
import type { Queryable } from '../db/queryable.js'

export async function saveAnalysis (db: Queryable, trackId: string, analysis: Record<string, unknown>): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE tracks SET analysis = $2::jsonb, analysis_updated_at = now() WHERE id = $1',
    [trackId, JSON.stringify(analysis)])
  return (rowCount ?? 0) > 0
}
