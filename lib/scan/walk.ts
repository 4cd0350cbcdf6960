// Streams the audio files under a root with their size and mtime. Hidden entries are skipped; a
// symbolic link is used only when its target resolves inside the root, so a link can never pull
// files from elsewhere into the library (links to directories are not descended).
import fg from 'fast-glob'
import * as fs from 'node:fs'
import { realpath, stat } from 'node:fs/promises'
import { relative, sep } from 'node:path'
import type { Stats } from 'node:fs'
import { isAudioPath, isFolderCover, folderCoverRank } from './audio-files.js'
import { isPlaylistPath } from '../playlists/m3u.js'
import { baseOf, dirOf, isStrictlyInside } from '../paths.js'

export interface WalkedFile {
  // Library-relative, forward slashes.
  path: string
  size: number
  mtimeMs: number
}

export interface WalkResult {
  // Library-relative directory -> library-relative path of its preferred folder cover image.
  folderCovers: Map<string, string>
  // Playlist files (.m3u, .m3u8), for the scan's last phase to import; created when one is found.
  playlists?: WalkedFile[]
  // Library-relative folders the walk could not list completely (the folder's own read failed,
  // or reading one of its entries did), with the error code: nothing under them was seen, so
  // nothing under them may be taken as gone. Created when one is found.
  unreadable?: Map<string, string>
  // Library-relative folders that exist but have no entries at all: an unmounted disk's mount
  // point looks like this. Created when one is found.
  emptyFolders?: string[]
}

export class RootUnavailableError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'RootUnavailableError'
  }
}

// Resolves the root and refuses one that is missing, not a directory, or unreadable.
export async function resolveRoot (root: string): Promise<string> {
  let real: string
  try {
    real = await realpath(root)
    const stats = await stat(real)
    if (!stats.isDirectory()) throw new RootUnavailableError(`media root is not a directory: ${root}`)
  } catch (err) {
    if (err instanceof RootUnavailableError) throw err
    throw new RootUnavailableError(`media root is missing or unreadable: ${root} (${(err as NodeJS.ErrnoException).code ?? String(err)})`)
  }
  return real
}

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void

// What an entry that could not be stat'ed is handed back as: nothing a walk takes, so it alone
// is skipped.
const NOTHING = Object.fromEntries(
  ['isFile', 'isDirectory', 'isSymbolicLink', 'isBlockDevice', 'isCharacterDevice', 'isFIFO', 'isSocket'].map((name) => [name, () => false])
) as unknown as Stats

// fast-glob reports no errors it suppresses. The walk sees them through the file system calls
// it is given: a failed readdir is that folder's failure. A failed lstat of an entry (a name in
// another encoding than UTF-8, which Node cannot give back to the file system; an I/O error) is
// its folder's failure too, so nothing under the folder is removed; fast-glob would drop the
// folder's whole listing for it, so the entry is handed back as nothing and skipped alone, and
// the folder's other files are still indexed.
function observedFs (realRoot: string, result: WalkResult): Partial<typeof fs> {
  const rel = (abs: string): string => {
    const r = relative(realRoot, abs)
    return sep === '/' ? r : r.split(sep).join('/')
  }
  // fast-glob lists hidden folders too before dropping their entries; no track comes from them,
  // and an unreadable .Trash on a mounted disk is no news.
  const hidden = (path: string): boolean => path.startsWith('.') || path.includes('/.')
  const failed = (folder: string, err: NodeJS.ErrnoException): void => {
    if (hidden(folder)) return
    const unreadable = result.unreadable ??= new Map()
    if (!unreadable.has(folder)) unreadable.set(folder, err.code ?? 'EIO')
  }
  const readdir = (path: string, options: unknown, callback?: Callback<unknown[]>): void => {
    const cb = (typeof options === 'function' ? options : callback) as Callback<unknown[]>
    const done: Callback<unknown[]> = (err, entries) => {
      if (err !== null) failed(rel(path), err)
      else if (entries.length === 0 && rel(path) !== '' && !hidden(rel(path))) (result.emptyFolders ??= []).push(rel(path))
      cb(err, entries)
    }
    if (typeof options === 'function') fs.readdir(path, done as never)
    else fs.readdir(path, options as never, done as never)
  }
  const statLike = (call: typeof fs.lstat) => (path: string, callback: Callback<Stats>): void => {
    call(path, (err, stats) => {
      if (err === null) return callback(null, stats)
      const entry = rel(path)
      if (entry === '') return callback(err, stats)
      failed(dirOf(entry), err)
      callback(null, NOTHING)
    })
  }
  return { readdir: readdir as never, lstat: statLike(fs.lstat) as never, stat: statLike(fs.stat) as never }
}

// folder: walk only this library-relative folder (which the caller has checked is a real
// directory inside the root); paths stay library-relative.
export async function * walkAudio (realRoot: string, result: WalkResult, folder?: string): AsyncGenerator<WalkedFile> {
  const prefix = folder === undefined ? '' : `${folder}/`
  const stream = fg.stream('**/*', {
    cwd: `${realRoot}/${prefix}`,
    fs: observedFs(realRoot, result),
    dot: false,
    onlyFiles: false,
    followSymbolicLinks: false,
    stats: true,
    suppressErrors: true
  })
  for await (const raw of stream) {
    const found = raw as unknown as { path: string, name: string, dirent: { isFile: () => boolean, isSymbolicLink: () => boolean }, stats?: Stats }
    const entry = prefix === '' ? found : { ...found, path: `${prefix}${found.path}` }
    let stats = entry.stats
    if (entry.dirent.isSymbolicLink()) {
      try {
        const target = await realpath(`${realRoot}/${entry.path}`)
        if (!isStrictlyInside(realRoot, target)) continue
        stats = await stat(target)
      } catch {
        continue
      }
    }
    if (stats === undefined || !stats.isFile()) continue
    if (isFolderCover(entry.name)) {
      const dir = dirOf(entry.path)
      const current = result.folderCovers.get(dir)
      const currentName = current === undefined ? undefined : baseOf(current)
      if (currentName === undefined || folderCoverRank(entry.name) < folderCoverRank(currentName)) {
        result.folderCovers.set(dir, entry.path)
      }
      continue
    }
    if (isPlaylistPath(entry.path)) {
      (result.playlists ??= []).push({ path: entry.path, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) })
      continue
    }
    if (!isAudioPath(entry.path)) continue
    yield { path: entry.path, size: stats.size, mtimeMs: Math.trunc(stats.mtimeMs) }
  }
}
