// Finished whole-list bodies (limit=-1) on disk, kept under the library version they were read
// at and dropped as soon as the version moves (like ResponseCache, whose bodies live in memory).
//
// A whole list of 100,000 tracks is ~110 MB of JSON: far too much for memory, and rebuilding it
// costs the database seconds. A body is written to a file as the database produces it (the
// writer waits for the disk, so memory stays at one batch) and then sent from that file. The
// database transaction therefore lasts as long as the disk needs, never as long as a slow
// client takes to download: PGlite has a single connection that every other request waits for.
// Files are opened before they are sent, so an eviction while a slow client still reads one
// costs nothing: the open descriptor keeps its data until it is closed.
import { createHash, randomUUID, type Hash } from 'node:crypto'
import { createWriteStream, type WriteStream } from 'node:fs'
import { mkdir, open, readdir, rm, type FileHandle } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { finished } from 'node:stream/promises'

export interface WholeBody {
  // Open for reading; the caller closes it (a read stream with autoClose does).
  handle: FileHandle
  bytes: number
  etag: string
  total: number
}

interface Entry {
  file: string
  bytes: number
  etag: string
  total: number
}

export interface Produced {
  version: string
  total: number
}

export type Producer = (write: (chunk: string) => Promise<void>) => Promise<Produced>

export class WholeListCache {
  private version = ''
  private bytes = 0
  // Insertion order is recency: a hit is re-inserted.
  private readonly entries = new Map<string, Entry>()
  private ready: Promise<void> | undefined
  // Bodies built from the database and bodies served from disk, since start.
  readonly counts = { builds: 0, hits: 0 }

  // `dir` belongs to this cache alone: it is emptied on first use and on close.
  constructor (readonly dir: string, readonly maxBytes: number) {}

  get size (): number {
    return this.entries.size
  }

  get storedBytes (): number {
    return this.bytes
  }

  async get (version: string, key: string): Promise<WholeBody | undefined> {
    this.adopt(version)
    const hit = this.entries.get(key)
    if (hit === undefined) return undefined
    this.entries.delete(key)
    this.entries.set(key, hit)
    try {
      this.counts.hits++
      return { handle: await open(hit.file, 'r'), bytes: hit.bytes, etag: hit.etag, total: hit.total }
    } catch {
      // Removed behind our back (a cleaned data folder): build it again.
      this.forget(key)
      return undefined
    }
  }

  // Writes a body through `produce` and returns it open for reading. It is kept for later
  // requests when it was read at the version last seen and fits the cap.
  async build (key: string, produce: Producer): Promise<WholeBody> {
    await this.prepare()
    this.counts.builds++
    const file = join(this.dir, `${randomUUID()}.json`)
    const out = createWriteStream(file)
    // A write error surfaces through the next write or finished(); never as an unhandled event.
    out.on('error', () => {})
    const hash = createHash('sha1')
    let bytes = 0
    let produced: Produced
    try {
      produced = await produce(async (chunk) => {
        const data = Buffer.from(chunk)
        hash.update(data)
        bytes += data.length
        await writeWithBackpressure(out, data)
      })
      out.end()
      await finished(out)
    } catch (err) {
      // A stream destroyed before its file finished opening still creates the file: remove it
      // only once the stream has closed, or it would be left behind.
      out.destroy()
      if (!out.closed) await new Promise<void>((resolve) => out.once('close', () => { resolve() }))
      await rm(file, { force: true })
      throw err
    }
    const etag = etagFrom(hash)
    const handle = await open(file, 'r')
    // Kept only when read at the version the last lookup saw: versions have no order, so a body
    // from a snapshot taken before or after a change must neither replace nor evict current ones.
    if (produced.version === this.version && bytes <= this.maxBytes) {
      this.forget(key)
      this.entries.set(key, { file, bytes, etag, total: produced.total })
      this.bytes += bytes
      this.evict()
    } else {
      await rm(file, { force: true })
    }
    return { handle, bytes, etag, total: produced.total }
  }

  async close (): Promise<void> {
    this.entries.clear()
    this.bytes = 0
    await rm(this.dir, { recursive: true, force: true })
  }

  private async prepare (): Promise<void> {
    this.ready ??= (async () => {
      await rm(this.dir, { recursive: true, force: true })
      await mkdir(this.dir, { recursive: true })
    })()
    try {
      await this.ready
    } catch (err) {
      this.ready = undefined
      throw err
    }
  }

  private evict (): void {
    for (const [key, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(key)
      this.bytes -= entry.bytes
      void rm(entry.file, { force: true })
    }
  }

  private forget (key: string): void {
    const old = this.entries.get(key)
    if (old === undefined) return
    this.entries.delete(key)
    this.bytes -= old.bytes
    void rm(old.file, { force: true })
  }

  private adopt (version: string): void {
    if (version === this.version) return
    this.version = version
    for (const key of [...this.entries.keys()]) this.forget(key)
  }
}

function etagFrom (hash: Hash): string {
  return `"${hash.digest('base64url')}"`
}

async function writeWithBackpressure (out: WriteStream, data: Buffer): Promise<void> {
  if (out.errored !== null) throw out.errored
  // once() rejects if the stream fails while we wait.
  if (!out.write(data)) await once(out, 'drain')
}

// Each process keeps its bodies in `<parent>/<pid>-<random>`. Folders of processes that no
// longer run (a crash, a kill -9) are removed at start-up, and so are folders under this very
// pid that this process did not make: in a container the server is always pid 1, so a folder
// left by the previous container's pid 1 looks like a live process's.
const made = new Set<string>()

export async function wholeListDir (parent: string): Promise<string> {
  await mkdir(parent, { recursive: true })
  for (const name of await readdir(parent)) {
    const pid = Number(name.split('-')[0])
    const path = join(parent, name)
    const stale = pid === process.pid ? !made.has(path) : !running(pid)
    if (Number.isInteger(pid) && pid > 0 && stale) await rm(path, { recursive: true, force: true })
  }
  const mine = join(parent, `${process.pid}-${randomUUID().slice(0, 8)}`)
  made.add(mine)
  return mine
}

function running (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
