// Which walked files need reading, and the files that could not be indexed (sql/004). A file that
// failed because of its content fails the same way until it changes, so while its size and mtime
// stay the same a scan reports it again without reading it.
import type { PoolClient } from 'pg'
import type { Queryable } from '../db/queryable.js'
import type { FileStamp } from './track-repository.js'
import { recordKnownProblems } from './scan-repository.js'

export interface FileProblem extends FileStamp {
  message: string
  skipped: boolean
  // Kept with the file's stamp so later scans do not read it again (false for I/O errors).
  remember: boolean
}

// A file that could not be indexed before and has not changed since.
export interface KnownProblem { path: string, message: string, skipped: boolean }

export interface Comparison {
  // New, or changed since they were indexed or failed.
  changed: FileStamp[]
  known: KnownProblem[]
}

const stampOf = (size: number | string, mtimeMs: number | string): string => `${size}:${mtimeMs}`

export async function compareWithLibrary (db: Queryable, files: FileStamp[]): Promise<Comparison> {
  if (files.length === 0) return { changed: [], known: [] }
  const { rows } = await db.query<{ path: string, file_size: string, file_mtime_ms: string, message: string | null, skipped: boolean | null }>(
    `SELECT file_path AS path, file_size, file_mtime_ms, NULL::text AS message, NULL::boolean AS skipped
       FROM tracks WHERE file_path = ANY($1::text[])
     UNION ALL
     SELECT path, file_size, file_mtime_ms, message, skipped FROM unindexed_files WHERE path = ANY($1::text[])`,
    [files.map((f) => f.path)])
  const indexed = new Map<string, string>()
  const failed = new Map<string, { stamp: string, message: string, skipped: boolean }>()
  for (const r of rows) {
    if (r.message === null) indexed.set(r.path, stampOf(r.file_size, r.file_mtime_ms))
    else failed.set(r.path, { stamp: stampOf(r.file_size, r.file_mtime_ms), message: r.message, skipped: r.skipped === true })
  }
  const changed: FileStamp[] = []
  const known: KnownProblem[] = []
  for (const f of files) {
    const stamp = stampOf(f.size, f.mtimeMs)
    if (indexed.get(f.path) === stamp) continue
    const problem = failed.get(f.path)
    if (problem?.stamp === stamp) known.push({ path: f.path, message: problem.message, skipped: problem.skipped })
    else changed.push(f)
  }
  return { changed, known }
}

const NOT_READ_AGAIN = ' (unchanged since it could not be indexed; not read again)'

// Lists known problems among this scan's errors and counts them as failed or skipped. A scan job
// run again walks again: a path already listed for this scan is neither listed nor counted twice.
export async function reportKnownProblems (db: Queryable, scanId: string, known: KnownProblem[]): Promise<void> {
  await recordKnownProblems(db, scanId, known.map((k) => ({ ...k, message: `${k.message}${NOT_READ_AGAIN}` })))
}

// In an index batch's transaction: remember what failed, forget what is now indexed.
export async function recordOutcomes (client: PoolClient, problems: FileProblem[], indexedPaths: string[]): Promise<void> {
  const kept = problems.filter((p) => p.remember).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  const gone = [...indexedPaths, ...problems.filter((p) => !p.remember).map((p) => p.path)]
  if (kept.length > 0) {
    await client.query(
      `INSERT INTO unindexed_files (path, file_size, file_mtime_ms, message, skipped)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::boolean[])
       ON CONFLICT (path) DO UPDATE SET file_size = EXCLUDED.file_size, file_mtime_ms = EXCLUDED.file_mtime_ms,
         message = EXCLUDED.message, skipped = EXCLUDED.skipped, failed_at = now()`,
      [kept.map((p) => p.path), kept.map((p) => p.size), kept.map((p) => p.mtimeMs),
        kept.map((p) => p.message), kept.map((p) => p.skipped)])
  }
  if (gone.length > 0) await client.query('DELETE FROM unindexed_files WHERE path = ANY($1::text[])', [gone])
}

// After a complete walk: files that are gone need no remembering. A scoped walk forgets only
// within its folders.
export async function forgetMissing (db: Queryable, seenPaths: string[], scope?: string[]): Promise<void> {
  if (scope === undefined) {
    await db.query('DELETE FROM unindexed_files WHERE NOT (path = ANY($1::text[]))', [seenPaths])
    return
  }
  if (scope.length === 0) return
  await db.query(
    `DELETE FROM unindexed_files WHERE NOT (path = ANY($1::text[]))
       AND EXISTS (SELECT 1 FROM unnest($2::text[]) AS s(folder) WHERE starts_with(path, s.folder || '/'))`,
    [seenPaths, scope])
}
