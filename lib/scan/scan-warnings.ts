// A scan's warnings: things it kept as they were, or did only in part, because it could not
// check them (an unreadable folder, a playlist line naming no track). They are scan_errors rows
// whose message starts with WARNING, counted on the scan, which still completes: a completed scan
// with warnings > 0 is "completed with warnings".
import type { Queryable } from '../db/queryable.js'
import { recordWarnings } from './scan-repository.js'

export const WARNING = 'warning: '

export interface ScanWarning { path: string, message: string }

// A scan job run again (its worker died) walks and imports again: its warnings are listed, and
// counted, once per path.
export async function reportWarnings (db: Queryable, scanId: string, warnings: ScanWarning[]): Promise<void> {
  await recordWarnings(db, scanId, warnings.map((w) => ({ path: w.path, message: w.message.startsWith(WARNING) ? w.message : `${WARNING}${w.message}` })))
}
