// Watch mode: changes under the media folder start a scan of just the changed folders. Events
// are gathered until the folder has been quiet for a moment (an album being copied is one scan,
// not one per file), or until a maximum wait so a long copy still shows up as it goes. While a
// scan runs, further changes are kept and start one follow-up scan once it has finished.
import { watch, type FSWatcher } from 'chokidar'
import { realpath } from 'node:fs/promises'
import { basename, dirname, relative, resolve, sep } from 'node:path'
import type { Stats } from 'node:fs'
import { isAudioPath, isFolderCover } from './audio-files.js'
import { isPlaylistPath } from '../playlists/m3u.js'
import type { Logger } from './jobs.js'

export interface WatchModeOptions {
  mediaPath: string
  dataDir: string
  // How long the media folder must be quiet before a scan starts.
  quietMs: number
  // The longest a change waits for its scan while changes keep coming.
  maxWaitMs: number
  // Starts a scan of these library-relative folders (undefined: the whole library). created is
  // false when a scan was already queued or running, so none was started.
  startScan: (folders: string[] | undefined) => Promise<{ created: boolean }>
  log: Logger
}

export interface WatchMode {
  isActive: () => boolean
  // Starts watching (once; later calls wait for the same start). Resolves when the watcher has
  // read the folder tree, which takes a while on a large library.
  start: () => Promise<void>
  close: () => Promise<void>
}

// Files whose changes matter to the library: audio, playlists, and folder images (album art).
export function isWatchedFile (relPath: string): boolean {
  return isAudioPath(relPath) || isPlaylistPath(relPath) || isFolderCover(basename(relPath))
}

function toLibraryPath (root: string, absPath: string): string | null {
  const rel = relative(root, absPath)
  if (rel === '') return ''
  if (rel.startsWith('..') || resolve(root, rel) !== resolve(absPath)) return null
  return rel.split(sep).join('/')
}

export function createWatchMode (opts: WatchModeOptions): WatchMode {
  const { log } = opts
  let watcher: FSWatcher | null = null
  let starting: Promise<void> | null = null
  let closed = false
  const pending = new Set<string>()
  let firstChangeAt = 0
  let timer: NodeJS.Timeout | undefined
  let flushing = false
  // Lets a start still waiting for the watcher's first crawl return once the watcher is closed.
  let stopWaiting = (): void => {}

  const schedule = (delay: number): void => {
    clearTimeout(timer)
    if (closed) return
    timer = setTimeout(() => { void flush() }, Math.max(0, delay))
  }

  const note = (folder: string): void => {
    pending.add(folder)
    if (firstChangeAt === 0) firstChangeAt = Date.now()
    if (flushing) return
    schedule(Math.min(opts.quietMs, firstChangeAt + opts.maxWaitMs - Date.now()))
  }

  const flush = async (): Promise<void> => {
    if (flushing || closed || pending.size === 0) return
    flushing = true
    const folders = [...pending]
    pending.clear()
    const since = firstChangeAt
    firstChangeAt = 0
    let started = false
    try {
      // A change at the top level of the media folder scans the whole library.
      const { created } = await opts.startScan(folders.includes('') ? undefined : folders)
      started = created
      if (created) log.info({ folders }, 'watch: scan started for changed folders')
    } catch (err) {
      log.warn({ err }, 'watch: could not start a scan; trying again shortly')
    } finally {
      flushing = false
    }
    if (!started) {
      // A scan is running (or the database or Redis is down): keep the folders for one
      // follow-up scan, and ask again after a quiet period.
      for (const folder of folders) pending.add(folder)
      firstChangeAt = firstChangeAt === 0 ? since : Math.min(firstChangeAt, since)
      schedule(Math.max(opts.quietMs, 250))
    } else if (pending.size > 0) {
      schedule(opts.quietMs)
    }
  }

  const ignored = (root: string, dataDir: string) => (path: string, stats?: Stats): boolean => {
    const rel = toLibraryPath(root, path)
    if (rel === null) return true
    if (rel === '') return false
    if (rel.split('/').some((part) => part.startsWith('.'))) return true
    if (path === dataDir || path.startsWith(`${dataDir}${sep}`)) return true
    return stats?.isFile() === true && !isWatchedFile(rel)
  }

  const begin = async (): Promise<void> => {
    // Watch what a scan walks: the media folder as resolved, so event paths line up with it.
    const root = await realpath(opts.mediaPath).catch(() => {
      // chokidar waits quietly for a path that is not there; say so, since nothing will be seen
      // until the folder appears where it is expected.
      log.warn({ mediaPath: opts.mediaPath }, 'watch: the media folder is missing; changes are seen once it appears')
      return resolve(opts.mediaPath)
    })
    const dataDir = await realpath(opts.dataDir).catch(() => resolve(opts.dataDir))
    if (closed) return
    const w = watch(root, { ignoreInitial: true, followSymlinks: false, ignored: ignored(root, dataDir) })
    watcher = w
    w.on('all', (event, path) => {
      const rel = toLibraryPath(root, path)
      if (rel === null) return
      if (event === 'addDir' || event === 'unlinkDir') note(rel)
      else if (isWatchedFile(rel)) note(dirname(rel) === '.' ? '' : dirname(rel))
    })
    w.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code
      // Never fatal: the periodic or manual scans still keep the library right.
      log.warn({ err }, code === 'ENOSPC'
        ? 'watch: the system limit on watched folders is reached (raise fs.inotify.max_user_watches); some changes will not be seen'
        : 'watch: watcher error')
    })
    await new Promise<void>((resolve) => {
      stopWaiting = resolve
      w.once('ready', () => resolve())
    })
    if (closed) return
    log.info({ mediaPath: root }, 'watch mode on')
  }

  return {
    isActive: () => watcher !== null && !closed,
    start: async () => {
      if (closed) return
      starting ??= begin().catch((err: unknown) => {
        log.warn({ err }, 'watch: could not start watching the media folder')
        starting = null
      })
      await starting
    },
    close: async () => {
      closed = true
      clearTimeout(timer)
      pending.clear()
      stopWaiting()
      await watcher?.close()
    }
  }
}
