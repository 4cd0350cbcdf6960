// Cover art extracted once per (album, source, source file version, size step) and kept on
// disk, so a request costs a stat of the source and a read of a small cached file, never a tag
// parse. The disk it takes is capped: the files used least recently, of any album, go first.
import { createHash, randomBytes } from 'node:crypto'
import { closeSync, readFile as readFd } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, rmdir, stat, utimes, writeFile } from 'node:fs/promises'
import { promisify } from 'node:util'
import { extname, join } from 'node:path'
import { parseFile, selectCover } from 'music-metadata'
import sharp from 'sharp'

export interface Cover {
  body: Buffer
  contentType: string
  etag: string
}

const TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  bmp: 'image/bmp'
}

// Requested sizes are served from these steps (the smallest at least as large), or from the
// original above the last, so a client sweeping sizes makes at most STEPS.length + 1 files.
export const COVER_SIZE_STEPS = [64, 128, 256, 512, 1024] as const

// undefined: the original picture.
export function snapCoverSize (size: number | undefined): number | undefined {
  if (size === undefined) return undefined
  return COVER_SIZE_STEPS.find((step) => step >= size)
}

// PostgreSQL matches UUIDs in any case; the cache must name one album one way.
export function canonicalAlbumId (albumId: string): string {
  return albumId.toLowerCase()
}

function extensionFor (mime: string): string | null {
  const lowered = mime.toLowerCase()
  if (lowered === 'image/jpeg' || lowered === 'image/jpg') return 'jpg'
  for (const [ext, type] of Object.entries(TYPES)) if (type === lowered) return ext
  return null
}

// The source of a cover as the scanner records it in albums.cover_source.
export function parseCoverSource (source: string): { kind: 'embedded' | 'file', path: string } | null {
  const match = /^(embedded|file):(.+)$/s.exec(source)
  return match === null ? null : { kind: match[1] as 'embedded' | 'file', path: match[2] }
}

interface Original {
  body: Buffer
  ext: string
}

const readDescriptor = promisify(readFd)

// Read from the descriptor the path guard opened (and checked), never by path again: a file
// swapped for a link out of the root, or for a FIFO, between the check and the read would
// otherwise be what is read. music-metadata takes a path, so it gets the descriptor's /dev/fd
// name, which opens that same file whatever its path now leads to.
async function extract (kind: 'embedded' | 'file', sourcePath: string, fd: number): Promise<Original | null> {
  if (kind === 'file') {
    const ext = extname(sourcePath).slice(1).toLowerCase().replace('jpeg', 'jpg')
    if (TYPES[ext] === undefined) return null
    return { body: await readDescriptor(fd), ext }
  }
  const metadata = await parseFile(`/dev/fd/${fd}`, { skipCovers: false, duration: false })
  const picture = selectCover(metadata.common.picture)
  if (picture === null) return null
  const ext = extensionFor(picture.format)
  if (ext === null) return null
  return { body: Buffer.from(picture.data), ext }
}

async function resize (original: Original, size: number): Promise<Original> {
  const image = sharp(original.body, { failOn: 'error' }).resize(size, size, { fit: 'inside', withoutEnlargement: true })
  // PNG keeps transparency; everything else becomes a compact JPEG.
  if (original.ext === 'png') return { body: await image.png().toBuffer(), ext: 'png' }
  return { body: await image.jpeg({ quality: 85 }).toBuffer(), ext: 'jpg' }
}

// Opens a library-relative file inside the media root (the path guard), or null. The caller of
// CoverCache.get closes nothing: the cache closes the descriptor.
export type OpenFile = (relativePath: string) => Promise<{ fd: number, stats: { size: number, mtimeMs: number } } | null>

interface Entry {
  // "album/name.ext", relative to the cache folder.
  file: string
  bytes: number
  // When the file's mtime last recorded its use, so the order survives a restart.
  touchedAt: number
}

// A file's mtime is moved to its last use at most this often (one utimes per file per window).
const TOUCH_EVERY_MS = 60_000

export class CoverCache {
  private readonly inFlight = new Map<string, Promise<Cover | null>>()
  // By "album/name" (no extension), least recently used first: Map keeps insertion order, and a
  // use moves an entry to the end.
  private readonly entries = new Map<string, Entry>()
  private bytes = 0
  private readonly ready: Promise<void>

  constructor (private readonly open: OpenFile, private readonly cacheDir: string, private readonly maxBytes: number) {
    this.ready = this.loadIndex()
  }

  // null: no cover (no source, the file is gone or outside the root, or it holds no image).
  async get (albumId: string, coverSource: string | null, size?: number): Promise<Cover | null> {
    if (coverSource === null) return null
    const source = parseCoverSource(coverSource)
    if (source === null) return null
    const file = await this.open(source.path)
    if (file === null) return null
    // The descriptor stays open until the extraction this request waits for is done (whoever
    // started it waits for it too, so a shared extraction never reads a closed descriptor).
    try {
      await this.ready
      const album = canonicalAlbumId(albumId)
      const step = snapCoverSize(size)
      const version = createHash('sha1')
        .update(`${album}\0${coverSource}\0${Math.trunc(file.stats.mtimeMs)}\0${file.stats.size}`)
        .digest('hex').slice(0, 20)
      const name = step === undefined ? version : `${version}-${step}`
      const key = `${album}/${name}`
      // Many clients asking for the same cover at once share one extraction.
      let pending = this.inFlight.get(key)
      if (pending === undefined) {
        pending = this.load(album, version, name, source.kind, source.path, file.fd, step)
          .finally(() => this.inFlight.delete(key))
        this.inFlight.set(key, pending)
      }
      return await pending
    } finally {
      closeSync(file.fd)
    }
  }

  // What an earlier run left on disk counts against the cap from the start, oldest use first.
  private async loadIndex (): Promise<void> {
    const found: Array<{ key: string, entry: Entry }> = []
    let albums: string[]
    try {
      albums = await readdir(this.cacheDir)
    } catch {
      return
    }
    for (const album of albums) {
      let names: string[]
      try {
        names = await readdir(join(this.cacheDir, album))
      } catch {
        continue
      }
      for (const name of names) {
        const path = join(this.cacheDir, album, name)
        // A write cut short by a crash.
        if (name.includes('.tmp-')) {
          await rm(path, { force: true })
          continue
        }
        try {
          const stats = await stat(path)
          if (!stats.isFile()) continue
          const file = `${album}/${name}`
          found.push({ key: file.slice(0, file.length - extname(name).length), entry: { file, bytes: stats.size, touchedAt: stats.mtimeMs } })
        } catch {
          // Gone meanwhile.
        }
      }
    }
    found.sort((a, b) => a.entry.touchedAt - b.entry.touchedAt)
    for (const { key, entry } of found) this.add(key, entry)
    await this.evict()
  }

  private add (key: string, entry: Entry): void {
    const old = this.entries.get(key)
    if (old !== undefined) this.bytes -= old.bytes
    this.entries.delete(key)
    this.entries.set(key, entry)
    this.bytes += entry.bytes
  }

  private async remove (key: string): Promise<void> {
    const entry = this.entries.get(key)
    if (entry === undefined) return
    this.entries.delete(key)
    this.bytes -= entry.bytes
    await rm(join(this.cacheDir, entry.file), { force: true })
    // Drop the album's folder once it is empty (fails, harmlessly, while it is not).
    await rmdir(join(this.cacheDir, entry.file.slice(0, entry.file.indexOf('/')))).catch(() => {})
  }

  private async evict (): Promise<void> {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.maxBytes) break
      await this.remove(key)
    }
  }

  private async cached (key: string): Promise<Cover | null> {
    const entry = this.entries.get(key)
    if (entry === undefined) return null
    let body: Buffer
    try {
      body = await readFile(join(this.cacheDir, entry.file))
    } catch {
      // Evicted or removed under us: make it again.
      if (this.entries.get(key) === entry) {
        this.entries.delete(key)
        this.bytes -= entry.bytes
      }
      return null
    }
    this.add(key, entry)
    const now = Date.now()
    if (now - entry.touchedAt > TOUCH_EVERY_MS) {
      entry.touchedAt = now
      const at = new Date(now)
      await utimes(join(this.cacheDir, entry.file), at, at).catch(() => {})
    }
    const ext = extname(entry.file).slice(1)
    return { body, contentType: TYPES[ext] ?? 'application/octet-stream', etag: `"${key.slice(key.indexOf('/') + 1)}"` }
  }

  private async load (album: string, version: string, name: string, kind: 'embedded' | 'file', sourcePath: string, fd: number, size?: number): Promise<Cover | null> {
    const hit = await this.cached(`${album}/${name}`)
    if (hit !== null) return hit
    let image: Original | null
    try {
      image = await extract(kind, sourcePath, fd)
      if (image !== null && size !== undefined) image = await resize(image, size)
    } catch {
      // An unreadable tag or a corrupt picture is "no cover", not a server error.
      return null
    }
    if (image === null) return null
    await this.store(album, version, name, image)
    return { body: image.body, contentType: TYPES[image.ext], etag: `"${name}"` }
  }

  private async store (album: string, version: string, name: string, image: Original): Promise<void> {
    // Files of an older version of this album's cover are dead once the source has changed.
    for (const key of [...this.entries.keys()]) {
      if (key.startsWith(`${album}/`) && !key.startsWith(`${album}/${version}`)) await this.remove(key)
    }
    const dir = join(this.cacheDir, album)
    await mkdir(dir, { recursive: true })
    const fileName = `${name}.${image.ext}`
    const temp = join(dir, `${fileName}.tmp-${randomBytes(4).toString('hex')}`)
    try {
      await writeFile(temp, image.body)
    } catch {
      // The folder was emptied and removed by an eviction between mkdir and the write.
      await mkdir(dir, { recursive: true })
      await writeFile(temp, image.body)
    }
    await rename(temp, join(dir, fileName))
    this.add(`${album}/${name}`, { file: `${album}/${fileName}`, bytes: image.body.length, touchedAt: Date.now() })
    await this.evict()
  }
}
