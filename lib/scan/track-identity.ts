// Which existing identity a newly found file takes (sql/007). A file at a path the library does
// not know is, in this order:
// 1. a move: a track with the same content key whose own file is gone (its path answers ENOENT
//    now). The track takes the new path, keeping its row, id and state. Checked against the
//    file system rather than the walk, so it holds whichever of the two paths the walk or the
//    index batches reach first, within one scan.
// 2. a return: a retired track (removed by an earlier scan) with the same content key and path,
//    else the same content key, else the same path. The track comes back with its id, so its
//    users' state is back too.
// 3. new.
import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import type { PoolClient } from 'pg'

// What a returning track brings back (the columns the scanner never writes). Each user's state
// of it (sql/011) names the id, so it is back with the id.
export interface ReturningTrack {
  id: string
  analysis: unknown
  analysis_updated_at: string | null
  added_at: string
}

export interface Identities {
  // New path -> the retired track it brings back.
  returning: Map<string, ReturningTrack>
  // Tracks renamed to their new path in this transaction.
  moved: number
}

export type GoneCheck = (path: string) => Promise<boolean>

// Gone means the path names nothing now; any other failure (EACCES, EIO) says nothing.
export function goneUnder (root: string): GoneCheck {
  return async (path) => {
    try {
      await lstat(join(root, path))
      return false
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      return code === 'ENOENT' || code === 'ENOTDIR'
    }
  }
}

interface NewFile { path: string, contentKey: string | null }

export async function claimIdentities (client: PoolClient, files: NewFile[], isGone: GoneCheck): Promise<Identities> {
  const out: Identities = { returning: new Map(), moved: 0 }
  if (files.length === 0) return out
  const batchPaths = files.map((f) => f.path)
  const { rows: known } = await client.query<{ file_path: string }>('SELECT file_path FROM tracks WHERE file_path = ANY($1::text[])', [batchPaths])
  const knownPaths = new Set(known.map((r) => r.file_path))
  let unknown = files.filter((f) => !knownPaths.has(f.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  if (unknown.length === 0) return out

  const keys = [...new Set(unknown.flatMap((f) => f.contentKey === null ? [] : [f.contentKey]))]
  if (keys.length > 0) {
    const { rows: candidates } = await client.query<{ id: string, file_path: string, content_key: string }>(
      `SELECT id, file_path, content_key FROM tracks
       WHERE content_key = ANY($1::text[]) AND NOT (file_path = ANY($2::text[])) ORDER BY file_path`, [keys, batchPaths])
    // Byte-identical copies share a key, so one file may have many candidates: ask about each
    // path once, all at once, rather than one round trip after another inside the transaction.
    const gone = new Map<string, boolean>()
    await Promise.all([...new Set(candidates.map((c) => c.file_path))].map(async (path) => { gone.set(path, await isGone(path)) }))
    const claimed = new Set<string>()
    const stillNew: NewFile[] = []
    for (const file of unknown) {
      let moved = false
      for (const c of candidates) {
        if (c.content_key !== file.contentKey || claimed.has(c.id)) continue
        if (gone.get(c.file_path) !== true) continue
        claimed.add(c.id)
        // The stamp is cleared so the upsert that follows writes the file's own tags and stamp.
        const { rowCount } = await client.query(
          'UPDATE tracks SET file_path = $3, file_mtime_ms = -1 WHERE id = $1 AND file_path = $2', [c.id, c.file_path, file.path])
        if (rowCount === 1) {
          moved = true
          out.moved++
          break
        }
      }
      if (!moved) stillNew.push(file)
    }
    unknown = stillNew
  }
  if (unknown.length === 0) return out

  const { rows: retired } = await client.query<ReturningTrack & { file_path: string, content_key: string | null }>(
    `SELECT id, file_path, content_key, analysis, analysis_updated_at, added_at
     FROM retired_tracks
     WHERE content_key = ANY($1::text[]) OR file_path = ANY($2::text[])
     ORDER BY retired_at DESC, id FOR UPDATE`,
    [keys, unknown.map((f) => f.path)])
  const taken = new Set<string>()
  const pick = (match: (r: typeof retired[number]) => boolean): typeof retired[number] | undefined =>
    retired.find((r) => !taken.has(r.id) && match(r))
  for (const file of unknown) {
    // Of byte-identical copies that all left, the one that lived at this very path is this file.
    const sameContent = (x: typeof retired[number]): boolean => file.contentKey !== null && x.content_key === file.contentKey
    const r = pick((x) => sameContent(x) && x.file_path === file.path) ?? pick(sameContent) ?? pick((x) => x.file_path === file.path)
    if (r === undefined) continue
    taken.add(r.id)
    out.returning.set(file.path, {
      id: r.id,
      analysis: r.analysis,
      analysis_updated_at: r.analysis_updated_at,
      added_at: r.added_at
    })
  }
  if (taken.size > 0) await client.query('DELETE FROM retired_tracks WHERE id = ANY($1::uuid[])', [[...taken]])
  return out
}
