// Which folders a scan must not take removals from.
//
// The walk lists what it could read. A folder it could not read (or could list only in part)
// says nothing about the files under it, so their tracks stay. A folder that exists but has no
// entries at all while tracks were indexed under it is what an unmounted disk or network share
// looks like from its mount point, so its tracks stay too. In both cases the scan records a
// warning and completes. A folder that is gone (not listed by its parent, which was read) takes
// its tracks with it; so does a folder that still holds anything (even a hidden file), whose
// missing files are taken as deleted. To drop the tracks of an emptied folder, delete the folder.
import type { Queryable } from '../db/queryable.js'
import type { WalkResult } from './walk.js'
import type { ScanWarning } from './scan-warnings.js'

export interface KeptFolders {
  folders: string[]
  warnings: ScanWarning[]
}

async function tracksUnder (db: Queryable, folders: string[]): Promise<Map<string, number>> {
  if (folders.length === 0) return new Map()
  const { rows } = await db.query<{ folder: string, tracks: number }>(
    `SELECT f.folder, (SELECT count(*) FROM tracks t WHERE left(t.file_path, length(f.folder) + 1) = f.folder || '/')::int AS tracks
     FROM unnest($1::text[]) AS f(folder)`, [folders])
  return new Map(rows.map((r) => [r.folder, r.tracks]))
}

const plural = (n: number): string => `${n} indexed track${n === 1 ? '' : 's'}`

export async function keptFolders (db: Queryable, walk: WalkResult): Promise<KeptFolders> {
  const unreadable = [...(walk.unreadable ?? new Map<string, string>()).entries()]
  const counts = await tracksUnder(db, [...unreadable.map(([f]) => f), ...(walk.emptyFolders ?? [])])
  const kept: KeptFolders = { folders: [], warnings: [] }
  for (const [folder, code] of unreadable) {
    kept.folders.push(folder)
    kept.warnings.push({ path: folder, message: `folder could not be read (${code}); the ${plural(counts.get(folder) ?? 0)} under it were kept as they were` })
  }
  for (const folder of walk.emptyFolders ?? []) {
    const n = counts.get(folder) ?? 0
    if (n === 0) continue
    kept.folders.push(folder)
    kept.warnings.push({ path: folder, message: `folder is empty but ${plural(n)} were under it (an unmounted disk?); they were kept. Delete the folder to remove them` })
  }
  return kept
}
