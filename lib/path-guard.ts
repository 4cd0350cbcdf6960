// Turns a library-relative path (as stored in the database) into an open file inside the media
// root, or refuses. Nothing here trusts the stored path: a row edited by hand, a symlink that
// leads out of the root, or a special file must never become bytes on the wire.
import { closeSync, constants, existsSync, fstatSync, open, readlinkSync, type Stats } from 'node:fs'
import { realpath } from 'node:fs/promises'
import { promisify } from 'node:util'
import { isAbsolute, join, relative, sep } from 'node:path'
import { DependencyDownError } from './dependency-errors.js'
import { isStrictlyInside } from './paths.js'

export type Refusal =
  | 'empty' | 'nul-byte' | 'backslash' | 'absolute' | 'dot-segment'
  | 'root-missing' | 'not-found' | 'outside-root' | 'not-regular' | 'forbidden'

export class PathRefusedError extends Error {
  constructor (readonly reason: Refusal, readonly requested: string) {
    super(`path refused (${reason})`)
    this.name = 'PathRefusedError'
  }
}

const openFd = promisify(open)

export interface GuardedFile {
  // A raw descriptor open for reading: whoever receives it must close it (closeSync) or hand it
  // to a stream with autoClose. Raw rather than a FileHandle so the cheap calls (fstat, close)
  // can skip the thread pool, which dominates the latency of small range requests.
  fd: number
  // Path relative to the root's real path, forward slashes, symlinks resolved.
  relativePath: string
  // Stat of the open descriptor at request time, not the scan's numbers.
  stats: Stats
}

// Lexical checks before touching the file system. Library paths always use forward slashes, so a
// backslash is either a Windows-style traversal attempt or a name we cannot serve safely.
export function lexicalRefusal (path: string): Refusal | null {
  if (path.length === 0) return 'empty'
  if (path.includes('\0')) return 'nul-byte'
  if (path.includes('\\')) return 'backslash'
  if (isAbsolute(path) || /^[A-Za-z]:/.test(path)) return 'absolute'
  if (path.split('/').some((segment) => segment === '..' || segment === '.')) return 'dot-segment'
  return null
}

// Errors that mean the disk or the process is in trouble, not that the caller asked for
// something wrong: the client should retry, so they become 503.
const SYSTEM_FAULTS = new Set(['EMFILE', 'ENFILE', 'EIO', 'ENOMEM', 'ESTALE', 'EAGAIN'])

function refusalFor (err: unknown, requested: string): PathRefusedError {
  const code = (err as NodeJS.ErrnoException).code
  if (code !== undefined && SYSTEM_FAULTS.has(code)) {
    throw new DependencyDownError('media', `media storage error ${code}`)
  }
  if (code === 'ENOENT' || code === 'ENOTDIR') return new PathRefusedError('not-found', requested)
  if (code === 'ELOOP') return new PathRefusedError('outside-root', requested)
  return new PathRefusedError('forbidden', requested)
}

// O_NOFOLLOW guards the last name only: a folder on the way, swapped for a symlink between
// realpath and open, is followed. The kernel knows where the descriptor really leads; it must be
// the path that was checked. Where /proc is missing (not Linux) the check cannot be made.
export function openedWhereResolved (fd: number, real: string): boolean {
  let opened: string
  try {
    opened = readlinkSync(`/proc/self/fd/${fd}`)
  } catch {
    return true
  }
  return opened === real
}

// How long a path's resolution is reused (see PathGuard.open), and how many are kept.
const RESOLVED_TTL_MS = 2000
const RESOLVED_MAX = 10_000

interface Resolution { real: string, rootReal: string, at: number }

export class PathGuard {
  private rootReal: string | null = null
  // Where each requested path resolved to, reused only where the kernel can tell where an open
  // descriptor leads (Linux /proc): the check after each open then refuses a path that now leads
  // elsewhere, so the cache saves the realpath thread-pool trip of repeated streams (players ask
  // for one file many times) without trusting a stale answer.
  private readonly resolved = new Map<string, Resolution>()
  private readonly reuseResolutions = existsSync('/proc/self/fd')

  constructor (readonly root: string, private readonly now: () => number = Date.now) {}

  private async realRoot (refresh: boolean, requested: string): Promise<string> {
    if (this.rootReal === null || refresh) {
      try {
        this.rootReal = await realpath(this.root)
      } catch {
        this.rootReal = null
        throw new PathRefusedError('root-missing', requested)
      }
    }
    return this.rootReal
  }

  // The real path of a library-relative path, inside the root, or PathRefusedError
  // (DependencyDownError for storage faults).
  private async resolveReal (requested: string): Promise<{ real: string, rootReal: string }> {
    const lexical = lexicalRefusal(requested)
    if (lexical !== null) throw new PathRefusedError(lexical, requested)

    let rootReal = await this.realRoot(false, requested)
    let real: string
    try {
      real = await realpath(join(rootReal, requested))
      // The root itself may have been re-pointed (a remount, a moved symlink) since we cached it.
      if (!isStrictlyInside(rootReal, real)) {
        rootReal = await this.realRoot(true, requested)
        real = await realpath(join(rootReal, requested))
      }
    } catch (err) {
      if (err instanceof PathRefusedError) throw err
      throw refusalFor(err, requested)
    }
    if (!isStrictlyInside(rootReal, real)) throw new PathRefusedError('outside-root', requested)
    return { real, rootReal }
  }

  // Resolves and opens, or throws PathRefusedError (DependencyDownError for storage faults).
  async open (requested: string): Promise<GuardedFile> {
    const known = this.reuseResolutions ? this.resolved.get(requested) : undefined
    if (known !== undefined && this.now() - known.at < RESOLVED_TTL_MS) {
      // A file gone or moved, a folder on the way swapped for a link: whatever no longer leads
      // where it did is resolved afresh, which decides as if nothing had been remembered.
      const file = await this.openResolved(requested, known.real, known.rootReal).catch(() => null)
      if (file !== null) return file
      this.resolved.delete(requested)
    }
    const { real, rootReal } = await this.resolveReal(requested)
    const file = await this.openResolved(requested, real, rootReal)
    if (this.reuseResolutions) {
      if (this.resolved.size >= RESOLVED_MAX) this.resolved.clear()
      this.resolved.set(requested, { real, rootReal, at: this.now() })
    }
    return file
  }

  private async openResolved (requested: string, real: string, rootReal: string): Promise<GuardedFile> {
    // O_NOFOLLOW: the resolved path has no links left, so a link here means it was swapped in
    // since realpath. O_NONBLOCK: opening a FIFO must not park a thread-pool worker forever.
    let fd: number
    try {
      fd = await openFd(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK)
    } catch (err) {
      throw refusalFor(err, requested)
    }
    // fstat on an open descriptor reads the in-memory inode: no I/O worth a thread-pool trip.
    let stats: Stats
    try {
      stats = fstatSync(fd)
    } catch (err) {
      closeSync(fd)
      throw refusalFor(err, requested)
    }
    if (!stats.isFile()) {
      closeSync(fd)
      throw new PathRefusedError('not-regular', requested)
    }
    if (!openedWhereResolved(fd, real)) {
      closeSync(fd)
      throw new PathRefusedError('outside-root', requested)
    }
    return { fd, stats, relativePath: relative(rootReal, real).split(sep).join('/') }
  }
}
