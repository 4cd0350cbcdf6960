// Cover art extracted once per (album, source, source file version, size) and kept on disk, so
// a request costs a stat of the source and a read of a small cached file, never a tag parse.
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
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

async function extract (kind: 'embedded' | 'file', path: string): Promise<Original | null> {
  if (kind === 'file') {
    const ext = extname(path).slice(1).toLowerCase().replace('jpeg', 'jpg')
    if (TYPES[ext] === undefined) return null
    return { body: await readFile(path), ext }
  }
  const metadata = await parseFile(path, { skipCovers: false, duration: false })
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

// Finds a library-relative file inside the media root (the path guard), or null.
export type LocateFile = (relativePath: string) => Promise<{ path: string, stats: { size: number, mtimeMs: number } } | null>

export class CoverCache {
  private readonly inFlight = new Map<string, Promise<Cover | null>>()

  constructor (private readonly locate: LocateFile, private readonly cacheDir: string) {}

  // null: no cover (no source, the file is gone or outside the root, or it holds no image).
  async get (albumId: string, coverSource: string | null, size?: number): Promise<Cover | null> {
    if (coverSource === null) return null
    const source = parseCoverSource(coverSource)
    if (source === null) return null
    const file = await this.locate(source.path)
    if (file === null) return null
    const version = createHash('sha1')
      .update(`${albumId}\0${coverSource}\0${Math.trunc(file.stats.mtimeMs)}\0${file.stats.size}`)
      .digest('hex').slice(0, 20)
    const name = size === undefined ? version : `${version}-${size}`
    const key = `${albumId}/${name}`
    // Many clients asking for the same cover at once share one extraction.
    let pending = this.inFlight.get(key)
    if (pending === undefined) {
      pending = this.load(albumId, version, name, source.kind, file.path, size)
        .finally(() => this.inFlight.delete(key))
      this.inFlight.set(key, pending)
    }
    return pending
  }

  private albumDir (albumId: string): string {
    return join(this.cacheDir, albumId)
  }

  private async cached (albumId: string, name: string): Promise<Cover | null> {
    let entries: string[]
    try {
      entries = await readdir(this.albumDir(albumId))
    } catch {
      return null
    }
    const hit = entries.find((e) => e.startsWith(`${name}.`))
    if (hit === undefined) return null
    const ext = extname(hit).slice(1)
    return { body: await readFile(join(this.albumDir(albumId), hit)), contentType: TYPES[ext] ?? 'application/octet-stream', etag: `"${name}"` }
  }

  private async load (albumId: string, version: string, name: string, kind: 'embedded' | 'file', path: string, size?: number): Promise<Cover | null> {
    const hit = await this.cached(albumId, name)
    if (hit !== null) return hit
    let image: Original | null
    try {
      image = await extract(kind, path)
      if (image !== null && size !== undefined) image = await resize(image, size)
    } catch {
      // An unreadable tag or a corrupt picture is "no cover", not a server error.
      return null
    }
    if (image === null) return null
    await this.store(albumId, version, `${name}.${image.ext}`, image.body)
    return { body: image.body, contentType: TYPES[image.ext], etag: `"${name}"` }
  }

  private async store (albumId: string, version: string, fileName: string, body: Buffer): Promise<void> {
    const dir = this.albumDir(albumId)
    await mkdir(dir, { recursive: true })
    // Files of an older version of this album's cover are dead once the source has changed.
    for (const entry of await readdir(dir)) {
      if (!entry.startsWith(version) && !entry.includes('.tmp-')) await rm(join(dir, entry), { force: true })
    }
    const temp = join(dir, `${fileName}.tmp-${randomBytes(4).toString('hex')}`)
    await writeFile(temp, body)
    await rename(temp, join(dir, fileName))
  }
}
