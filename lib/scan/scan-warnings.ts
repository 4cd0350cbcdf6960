// A scan's warnings: things it kept as they were, or did only in part, because it could not
// check them (an unreadable folder, a playlist line naming no track). They are scan_errors rows
// whose message starts with WARNING, counted on the scan, which still completes: a completed scan
// with warnings > 0 is "completed with warnings".
import type { Queryable } from '../db/queryable.js'

export const WARNING = 'warning: '

export interface ScanWarning { path: string, message: string }

// A scan job run again (its worker died) walks and imports again: its warnings are listed, and
// counted, once per path.
export async function reportWarnings (db: Queryable, scanId: string, warnings: ScanWarning[]): Promise<void> {
  if (warnings.length === 0) return
  await db.query(
    `WITH added AS (
       INSERT INTO scan_errors (scan_id, path, message)
       SELECT $1, x.path, x.message FROM unnest($2::text[], $3::text[]) AS x(path, message)
       WHERE NOT EXISTS (SELECT 1 FROM scan_errors e WHERE e.scan_id = $1 AND e.path = x.path)
       RETURNING 1)
     UPDATE scans SET warnings = warnings + (SELECT count(*) FROM added)::int WHERE id = $1`,
    [scanId, warnings.map((w) => w.path), warnings.map((w) => w.message.startsWith(WARNING) ? w.message : `${WARNING}${w.message}`)])
}
