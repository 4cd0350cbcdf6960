// A scan scoped to some folders of the library (watch mode's incremental scans): it walks only
// those folders, and compares and removes only within them. Folders are library-relative with
// forward slashes; each one covers its whole subtree.
import { readdir, realpath } from 'node:fs/promises'
import { join } from 'node:path'
import { walkAudio, type WalkedFile, type WalkResult } from './walk.js'
import type { Queryable } from '../db/queryable.js'

// Drops duplicates and folders inside another listed folder. An empty path (the root itself),
// or a path that tries to leave the root, widens the scan to the whole library: undefined.
export function normaliseScope (folders: readonly string[] | undefined): string[] | undefined {
  if (folders === undefined) return undefined
  const clean: string[] = []
  for (const raw of folders) {
    const parts = raw.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.')
    if (parts.length === 0 || parts.includes('..')) return undefined
    clean.push(parts.join('/'))
  }
  clean.sort()
  const out: string[] = []
  for (const folder of clean) {
    const last = out.at(-1)
    if (last !== undefined && (folder === last || folder.startsWith(`${last}/`))) continue
    out.push(folder)
  }
  return out.length === 0 ? undefined : out
}

export function inScope (path: string, scope: readonly string[] | undefined): boolean {
  return scope === undefined || scope.some((folder) => path === folder || path.startsWith(`${folder}/`))
}

export type FolderState = 'present' | 'gone' | 'unreadable'

// Whether a scoped folder can be walked. 'gone': it no longer exists, so its tracks go.
// 'unreadable' (permissions, a failing disk, or a path through a link, which a full walk would
// not follow either): nothing under it is removed.
export async function folderState (realRoot: string, folder: string): Promise<FolderState> {
  const path = join(realRoot, folder)
  try {
    if (await realpath(path) !== path) return 'unreadable'
    await readdir(path)
    return 'present'
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    return code === 'ENOENT' || code === 'ENOTDIR' ? 'gone' : 'unreadable'
  }
}

// A root with nothing in it is most likely an unmounted disk.
export async function rootIsEmpty (realRoot: string): Promise<boolean> {
  const entries = await readdir(realRoot)
  return entries.every((name) => name.startsWith('.'))
}

export interface ScopePlan {
  // Folders to walk (they exist and can be read).
  walk: string[]
  // Folders whose tracks not seen by the walk are removed: the walked ones and the ones gone.
  remove: string[]
}

// undefined: the whole library.
export async function planScope (realRoot: string, folders: readonly string[] | undefined): Promise<ScopePlan | undefined> {
  const scope = normaliseScope(folders)
  if (scope === undefined) return undefined
  const plan: ScopePlan = { walk: [], remove: [] }
  for (const folder of scope) {
    const state = await folderState(realRoot, folder)
    if (state === 'present') plan.walk.push(folder)
    if (state !== 'unreadable') plan.remove.push(folder)
  }
  return plan
}

export async function * walkScope (realRoot: string, result: WalkResult, plan: ScopePlan | undefined): AsyncGenerator<WalkedFile> {
  if (plan === undefined) {
    yield * walkAudio(realRoot, result)
    return
  }
  for (const folder of plan.walk) yield * walkAudio(realRoot, result, folder)
}

// The playlist import compares the playlist files it is given with every one it knows, and takes
// the ones not given as gone. A scoped scan saw only its folders' playlist files, so the known,
// present ones elsewhere are handed on with their recorded stamp: unchanged, they are not read.
export async function playlistFilesInView (db: Queryable, walked: WalkedFile[], plan: ScopePlan | undefined): Promise<WalkedFile[]> {
  if (plan === undefined) return walked
  const { rows } = await db.query<{ path: string, file_size: string, file_mtime_ms: string }>(
    `SELECT path, file_size, file_mtime_ms FROM playlist_files
      WHERE NOT missing AND NOT EXISTS (SELECT 1 FROM unnest($1::text[]) AS s(folder) WHERE starts_with(path, s.folder || '/'))`,
    [plan.remove])
  return [...walked, ...rows.map((r) => ({ path: r.path, size: Number(r.file_size), mtimeMs: Number(r.file_mtime_ms) }))]
}
