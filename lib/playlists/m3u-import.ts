// Turns the .m3u/.m3u8 files a scan found into playlists. It runs in the scan's last phase, after
// every index job has finished, so lines resolve against the library as that scan left it.
//
// A file is identified by its library-relative path: a re-scan updates its playlist instead of
// adding another, and reads it only when its size or mtime changed. While the file exists it is
// the playlist's source: a change to it replaces the playlist's name, description and tracks.
// A file that disappears leaves its playlist alone (it may hold a user's edits, and a folder that
// could not be read must not cost anyone a playlist); if the file comes back, it updates the same
// playlist. A playlist deleted through the API stays deleted until its file changes.
//
// A new imported playlist is public (the file is in everyone's library) and belongs to the admin
// the shared API_KEY acts as: the owner row while it exists, else the oldest admin. Later imports
// of the same file keep the owner and the public flag it has by then.
//
// Lines that match no indexed track are counted on the playlist (importedFrom.unresolved, and its
// description) and reported among the scan's errors as a "warning: " that is not a failure.
import { readFile, stat } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Pool } from 'pg'
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, MAX_PLAYLIST_ENTRIES } from '../../schemas/playlist.js'
import type { Queryable } from '../db/queryable.js'
import { reportWarnings, WARNING, type ScanWarning } from '../scan/scan-warnings.js'
import { decodePlaylistText, parseM3u } from './m3u.js'
import { lineTarget, type LineTarget } from './m3u-paths.js'
import { baseOf, dirOf } from '../paths.js'
import { insertPlaylist, lockPlaylist, replaceEntries, touchPlaylist } from './playlist-repository.js'
import { inTransaction } from '../db/transaction.js'
import { keyAdminId } from '../users/user-repository.js'

export interface PlaylistFile {
  // Library-relative, forward slashes.
  path: string
  size: number
  mtimeMs: number
}

export interface PlaylistImportOptions {
  pool: Pool
  // The media folder as resolved (realpath) and as configured: absolute lines may use either.
  root: string
  mediaPath: string
  scanId: string
  // Every playlist file the scan's complete walk found.
  files: PlaylistFile[]
}

export interface PlaylistImportSummary {
  imported: number
  unchanged: number
  warnings: number
}

// Larger files are not read (a 100,000-entry extended playlist is about 12 MB).
export const MAX_PLAYLIST_FILE_BYTES = 32 * 1024 * 1024
// How many unresolvable lines a warning spells out; the rest are counted.
const EXAMPLES = 5

interface KnownFile {
  path: string
  file_size: string
  file_mtime_ms: string
  playlist_id: string | null
  warning: string | null
}

interface Unresolved {
  line: number
  text: string
  target: LineTarget
}

function oneLine (value: string, max: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function nameFor (path: string, title: string | null): string {
  const file = baseOf(path)
  const name = oneLine(title ?? file.replace(/\.m3u8?$/i, ''), MAX_NAME_LENGTH)
  return name === '' ? oneLine(file, MAX_NAME_LENGTH) : name
}

// Matches candidate paths with indexed tracks: exactly first, then ignoring case (playlists made
// on Windows often differ from the files in case), never guessing between several tracks.
async function lookUp (db: Queryable, paths: string[]): Promise<{ exact: Map<string, string>, folded: Map<string, string | null> }> {
  const exact = new Map<string, string>()
  const folded = new Map<string, string | null>()
  if (paths.length === 0) return { exact, folded }
  const { rows } = await db.query<{ id: string, file_path: string }>(
    'SELECT id::text AS id, file_path FROM tracks WHERE file_path = ANY($1::text[])', [paths])
  for (const r of rows) exact.set(r.file_path, r.id)
  const missed = [...new Set(paths.filter((p) => !exact.has(p)).map((p) => p.toLowerCase()))]
  if (missed.length > 0) {
    const { rows: loose } = await db.query<{ id: string, file_path: string }>(
      'SELECT id::text AS id, file_path FROM tracks WHERE lower(file_path) = ANY($1::text[])', [missed])
    for (const r of loose) {
      const key = r.file_path.toLowerCase()
      folded.set(key, folded.has(key) ? null : r.id)
    }
  }
  return { exact, folded }
}

async function reasonFor (root: string, u: Unresolved): Promise<string> {
  if (u.target.kind === 'unresolvable') return u.target.reason
  for (const candidate of u.target.candidates) {
    try {
      await stat(join(root, candidate))
      return 'not an indexed audio file'
    } catch {
      // Try the next reading of the line.
    }
  }
  return 'no such file'
}

async function warningFor (root: string, unresolved: Unresolved[], entries: number, truncated: number): Promise<string | null> {
  const parts: string[] = []
  if (unresolved.length > 0) {
    const examples = await Promise.all(unresolved.slice(0, EXAMPLES).map(async (u) =>
      `line ${u.line} "${oneLine(u.text, 120)}" (${await reasonFor(root, u)})`))
    const more = unresolved.length > EXAMPLES ? `; and ${unresolved.length - EXAMPLES} more` : ''
    parts.push(`${unresolved.length} of ${entries} playlist lines could not be resolved: ${examples.join('; ')}${more}`)
  }
  if (truncated > 0) parts.push(`${truncated} lines beyond the first ${MAX_PLAYLIST_ENTRIES} were left out`)
  return parts.length === 0 ? null : `${WARNING}${parts.join('; ')}`
}

interface ImportedFile {
  name: string
  description: string
  trackIds: string[]
  entries: number
  unresolved: number
  warning: string | null
}

async function importedFrom (opts: PlaylistImportOptions, file: PlaylistFile, bytes: Uint8Array): Promise<ImportedFile> {
  const parsed = parseM3u(decodePlaylistText(bytes))
  const truncated = Math.max(0, parsed.entries.length - MAX_PLAYLIST_ENTRIES)
  const lines = parsed.entries.slice(0, MAX_PLAYLIST_ENTRIES)
  const roots = [...new Set([resolve(opts.mediaPath), opts.root])]
  const dir = dirOf(file.path)
  const targets = lines.map((l) => l.text.includes('\u0000')
    ? { kind: 'unresolvable' as const, reason: 'not a valid path' }
    : lineTarget(l.text, dir, roots))
  const { exact, folded } = await lookUp(opts.pool, targets.flatMap((t) => t.kind === 'library' ? t.candidates : []))

  const idOf = (target: LineTarget): string | undefined => {
    if (target.kind !== 'library') return undefined
    for (const c of target.candidates) {
      const id = exact.get(c)
      if (id !== undefined) return id
    }
    for (const c of target.candidates) {
      const id = folded.get(c.toLowerCase())
      if (typeof id === 'string') return id
    }
    return undefined
  }
  const trackIds: string[] = []
  const unresolved: Unresolved[] = []
  targets.forEach((target, i) => {
    const id = idOf(target)
    if (id !== undefined) trackIds.push(id)
    else unresolved.push({ line: lines[i].line, text: lines[i].text, target })
  })

  const note = unresolved.length > 0 ? `; ${unresolved.length} of ${lines.length} entries are not in the library` : ''
  return {
    name: nameFor(file.path, parsed.title),
    description: oneLine(`Imported from ${file.path}${note}`, MAX_DESCRIPTION_LENGTH),
    trackIds,
    entries: lines.length,
    unresolved: unresolved.length,
    warning: await warningFor(opts.root, unresolved, lines.length, truncated)
  }
}

async function store (pool: Pool, file: PlaylistFile, known: KnownFile | undefined, imported: ImportedFile): Promise<void> {
  await inTransaction(pool, async (client) => {
    let id = known?.playlist_id ?? null
    if (id !== null && (await lockPlaylist(client, id)) === null) id = null
    if (id === null) {
      id = await insertPlaylist(client, {
        ownerId: await keyAdminId(client),
        isPublic: true,
        name: imported.name,
        type: 'MANUAL',
        description: imported.description,
        rules: null,
        snapshotDate: null
      })
    } else {
      await touchPlaylist(client, id, { name: imported.name, description: imported.description })
    }
    await replaceEntries(client, id, imported.trackIds)
    await client.query(
      `INSERT INTO playlist_files (path, file_size, file_mtime_ms, playlist_id, entries, unresolved, warning, missing, imported_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, false, now())
       ON CONFLICT (path) DO UPDATE SET file_size = EXCLUDED.file_size, file_mtime_ms = EXCLUDED.file_mtime_ms,
         playlist_id = EXCLUDED.playlist_id, entries = EXCLUDED.entries, unresolved = EXCLUDED.unresolved,
         warning = EXCLUDED.warning, missing = false, imported_at = now()`,
      [file.path, file.size, file.mtimeMs, id, imported.entries, imported.unresolved, imported.warning])
  })
}

export async function importPlaylistFiles (opts: PlaylistImportOptions): Promise<PlaylistImportSummary> {
  const { pool, files } = opts
  const seen = files.map((f) => f.path)
  // Remembering a file matters only while it has a playlist; a gone file's playlist is kept.
  await pool.query('DELETE FROM playlist_files WHERE playlist_id IS NULL AND NOT (path = ANY($1::text[]))', [seen])
  await pool.query(`UPDATE playlist_files SET missing = NOT (path = ANY($1::text[]))
    WHERE missing IS DISTINCT FROM NOT (path = ANY($1::text[]))`, [seen])
  const { rows } = await pool.query<KnownFile>('SELECT path, file_size, file_mtime_ms, playlist_id, warning FROM playlist_files')
  const known = new Map(rows.map((r) => [r.path, r]))

  const summary: PlaylistImportSummary = { imported: 0, unchanged: 0, warnings: 0 }
  const warnings: ScanWarning[] = []
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const before = known.get(file.path)
    if (before !== undefined && Number(before.file_size) === file.size && Number(before.file_mtime_ms) === file.mtimeMs) {
      summary.unchanged++
      if (before.playlist_id !== null && before.warning !== null) warnings.push({ path: file.path, message: before.warning })
      continue
    }
    if (file.size > MAX_PLAYLIST_FILE_BYTES) {
      warnings.push({ path: file.path, message: `${WARNING}playlist file larger than ${MAX_PLAYLIST_FILE_BYTES} bytes; not imported` })
      continue
    }
    let bytes: Buffer
    try {
      bytes = await readFile(join(opts.root, file.path))
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? String(err)
      warnings.push({ path: file.path, message: `${WARNING}could not read the playlist file (${code}); it will be tried again` })
      continue
    }
    const imported = await importedFrom(opts, file, bytes)
    await store(pool, file, before, imported)
    summary.imported++
    if (imported.warning !== null) warnings.push({ path: file.path, message: imported.warning })
  }
  await reportWarnings(pool, opts.scanId, warnings)
  summary.warnings = warnings.length
  return summary
}
