// Finished transcodes kept on disk, so a track played again (or seeked in) is a file served with
// byte ranges instead of another ffmpeg run. Named by (track, source file version, format,
// bitrate): a retagged or replaced source has another version, and the track's entries for any
// other version are removed as soon as it is asked for. The disk taken is capped; the entries
// used least recently go first.
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream, fstatSync, openSync, constants, type Stats, type WriteStream } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import type { TargetFormat } from './formats.js'

export interface SourceVersion {
  trackId: string
  // The source file as the request found it (the path guard's stat).
  size: number
  mtimeMs: number
  // The change time too: a file rewritten in place at the same size with its mtime put back
  // (cp -p, rsync --inplace -t, taggers that keep dates) still changes it.
  ctimeMs: number
  ino: number
}

export interface CachedFile {
  fd: number
  stats: Stats
}

export interface CacheWriter {
  stream: WriteStream
  // Keeps the file (the transcode finished and every byte was written).
  commit: () => Promise<void>
  discard: () => void
}

interface Entry { name: string, trackId: string, version: string, size: number }

const ENTRY = /^([0-9a-f-]{36})\.([0-9a-f]{16})\.([a-z0-9]+)\.tc$/
const PARTIAL = '.partial'

function versionOf (source: SourceVersion): string {
  return createHash('sha256').update(`${source.size}:${source.mtimeMs}:${source.ctimeMs}:${source.ino}`).digest('hex').slice(0, 16)
}

export function entryName (source: SourceVersion, format: TargetFormat, bitrate: number | null): string {
  return `${source.trackId.toLowerCase()}.${versionOf(source)}.${format}${bitrate ?? ''}.tc`
}

export class TranscodeCache {
  // Insertion order is recency: a hit moves its entry to the end.
  private readonly entries = new Map<string, Entry>()
  private bytes = 0

  constructor (readonly dir: string, private readonly maxBytes: number) {}

  get enabled (): boolean {
    return this.maxBytes > 0
  }

  get size (): number {
    return this.bytes
  }

  get count (): number {
    return this.entries.size
  }

  // Picks up what an earlier run kept (oldest first) and removes what it left half written.
  async init (): Promise<void> {
    if (!this.enabled) return
    await mkdir(this.dir, { recursive: true })
    const found: Array<Entry & { at: number }> = []
    for (const name of await readdir(this.dir)) {
      const path = join(this.dir, name)
      const match = ENTRY.exec(name)
      if (match === null) {
        if (name.endsWith(PARTIAL)) await rm(path, { force: true })
        continue
      }
      const stats = await stat(path).catch(() => null)
      if (stats?.isFile() !== true) continue
      found.push({ name, trackId: match[1], version: match[2], size: stats.size, at: Math.max(stats.atimeMs, stats.mtimeMs) })
    }
    found.sort((a, b) => a.at - b.at)
    for (const { at: _, ...entry } of found) this.add(entry)
    await this.evict()
  }

  // The cached transcode opened for reading, or null. Entries of the track's other versions go.
  open (source: SourceVersion, format: TargetFormat, bitrate: number | null): CachedFile | null {
    if (!this.enabled) return null
    this.forgetOtherVersions(source)
    const name = entryName(source, format, bitrate)
    const entry = this.entries.get(name)
    if (entry === undefined) return null
    let fd: number
    try {
      fd = openSync(join(this.dir, name), constants.O_RDONLY | constants.O_NOFOLLOW)
    } catch {
      this.drop(entry)
      return null
    }
    this.entries.delete(name)
    this.entries.set(name, entry)
    const stats = fstatSync(fd)
    // The access time orders entries after a restart; the modification time stays, since the
    // response's validators (ETag, Last-Modified) are made from it.
    utimes(join(this.dir, name), new Date(), stats.mtime).catch(() => {})
    return { fd, stats }
  }

  // Where a transcode is written while it runs; null when caching is off.
  writer (source: SourceVersion, format: TargetFormat, bitrate: number | null): CacheWriter | null {
    if (!this.enabled) return null
    const name = entryName(source, format, bitrate)
    const partial = join(this.dir, `${name}.${randomBytes(4).toString('hex')}${PARTIAL}`)
    const stream = createWriteStream(partial, { flags: 'wx' })
    let settled = false
    const discard = (): void => {
      if (settled) return
      settled = true
      stream.destroy()
      rm(partial, { force: true }).catch(() => {})
    }
    const commit = async (): Promise<void> => {
      if (settled) return
      settled = true
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject)
        stream.end(resolve)
      })
      const { size } = await stat(partial)
      if (size > this.maxBytes) {
        await rm(partial, { force: true })
        return
      }
      await rename(partial, join(this.dir, name))
      const existing = this.entries.get(name)
      if (existing !== undefined) this.forget(existing)
      this.add({ name, trackId: source.trackId.toLowerCase(), version: versionOf(source), size })
      await this.evict()
    }
    // A disk error while writing costs the cache entry, never the listener's stream.
    stream.on('error', () => discard())
    return { stream, commit, discard }
  }

  private add (entry: Entry): void {
    this.entries.set(entry.name, entry)
    this.bytes += entry.size
  }

  private forget (entry: Entry): void {
    if (this.entries.delete(entry.name)) this.bytes -= entry.size
  }

  private drop (entry: Entry): void {
    this.forget(entry)
    rm(join(this.dir, entry.name), { force: true }).catch(() => {})
  }

  private forgetOtherVersions (source: SourceVersion): void {
    const trackId = source.trackId.toLowerCase()
    const version = versionOf(source)
    for (const entry of this.entries.values()) {
      if (entry.trackId === trackId && entry.version !== version) this.drop(entry)
    }
  }

  private async evict (): Promise<void> {
    for (const entry of this.entries.values()) {
      if (this.bytes <= this.maxBytes) break
      this.forget(entry)
      await rm(join(this.dir, entry.name), { force: true })
    }
  }
}
