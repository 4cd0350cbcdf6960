// A file tokenizer for music-metadata that reads the file's head and tail once and serves the
// parser's many small reads (frame headers, tag fields, the ID3v1/APE footer probe) from them.
// music-metadata's own file tokenizer makes one thread-pool read per token, and on a library of
// tagged files those round trips, not the parsing, are most of the time. Reads outside the cached
// ranges go to the file as usual, and the tokenizer reports the file's real size, so durations and
// bitrates derived from it are the same as parseFile's.
import { openSync, fstatSync, readSync, closeSync, constants } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { AbstractTokenizer, EndOfStreamError, type IFileInfo, type IReadChunkOptions } from 'strtok3'

// Tags, a FLAC STREAMINFO/VORBIS_COMMENT block or an MP4 'moov' usually fit the first 64 KiB;
// a large embedded cover does not, and is read from the file like anything else past the head.
const HEAD_BYTES = 64 * 1024
// ID3v1 (128 bytes), an APEv2 footer and Lyrics3 all sit in the last few KiB.
const TAIL_BYTES = 4 * 1024

interface Range { start: number, bytes: Uint8Array }

// The file under the tokenizer. A parse thread reads synchronously: it has nothing else to do
// meanwhile, and each asynchronous read, stat and close costs a thread-pool round trip (a large
// share of a parse thread's time: bench/README.md, Scanning). The main thread must not block, so
// it reads asynchronously.
interface Source {
  size: () => Promise<number>
  read: (target: Uint8Array, offset: number, length: number, position: number) => Promise<number>
  close: () => Promise<void>
}

// Non-blocking, so a file swapped for a FIFO between the walk and the parse does not hold its
// thread until a writer comes along: the open returns at once, and what is not a regular file is
// refused before anything is read.
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NONBLOCK

// Not a system error (no syscall), so the parse reports it as a property of the file, not transient.
function notRegular (path: string): Error {
  return new Error(`not a regular file: ${path}`)
}

async function openSource (path: string, sync: boolean): Promise<Source> {
  if (sync) {
    const fd = openSync(path, OPEN_FLAGS)
    try {
      if (!fstatSync(fd).isFile()) throw notRegular(path)
    } catch (err) {
      closeSync(fd)
      throw err
    }
    return {
      size: async () => fstatSync(fd).size,
      read: async (target, offset, length, position) => readSync(fd, target, offset, length, position),
      close: async () => { closeSync(fd) }
    }
  }
  const handle: FileHandle = await open(path, OPEN_FLAGS)
  try {
    if (!(await handle.stat()).isFile()) throw notRegular(path)
  } catch (err) {
    await handle.close()
    throw err
  }
  return {
    size: async () => (await handle.stat()).size,
    read: async (target, offset, length, position) => (await handle.read(target, offset, length, position)).bytesRead,
    close: async () => { await handle.close() }
  }
}

export class CachedFileTokenizer extends AbstractTokenizer {
  fileInfo: IFileInfo
  private readonly ranges: Range[]
  // Byte ranges the parser will not look at (the pictures of a parse that skips covers): reads
  // that span them fill them with zeros instead of reading them.
  private unread: Array<{ start: number, end: number }> = []

  private constructor (private readonly handle: Source, fileInfo: IFileInfo, ranges: Range[]) {
    super()
    this.fileInfo = fileInfo
    this.ranges = ranges
  }

  static async open (path: string, sync: boolean): Promise<CachedFileTokenizer> {
    const handle = await openSource(path, sync)
    try {
      const size = await handle.size()
      const ranges: Range[] = []
      const headLength = Math.min(size, HEAD_BYTES)
      ranges.push({ start: 0, bytes: await readFully(handle, 0, headLength) })
      if (size > headLength) {
        const tailStart = Math.max(headLength, size - TAIL_BYTES)
        ranges.push({ start: tailStart, bytes: await readFully(handle, tailStart, size - tailStart) })
      }
      return new CachedFileTokenizer(handle, { path, size }, ranges)
    } catch (err) {
      await handle.close()
      throw err
    }
  }

  // The head and tail read above: the file's content identity is made from them (lib/scan/content-key.ts).
  cachedWindows (): Uint8Array[] {
    return this.ranges.map((r) => r.bytes)
  }

  // Ranges must lie within the file, so a read that spans them could have been served in full.
  leaveUnread (ranges: Array<{ start: number, end: number }>): void {
    this.unread = ranges.filter((r) => r.start < r.end && r.end <= (this.fileInfo.size ?? 0)).sort((a, b) => a.start - b.start)
  }

  supportsRandomAccess (): boolean {
    return true
  }

  setPosition (position: number): void {
    this.validateLength(position, 'position')
    this.position = position
  }

  async readBuffer (target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const normalized = this.normalizeOptions(target, options)
    const bytesRead = await this.readAt(target, normalized.position, normalized.length, normalized.mayBeLess === true)
    this.position = normalized.position + bytesRead
    return bytesRead
  }

  async peekBuffer (target: Uint8Array, options?: IReadChunkOptions): Promise<number> {
    const normalized = this.normalizeOptions(target, options)
    return await this.readAt(target, normalized.position, normalized.length, normalized.mayBeLess === true)
  }

  protected override async closeOnce (): Promise<void> {
    await this.handle.close()
    await super.closeOnce()
  }

  private async readAt (target: Uint8Array, position: number, length: number, mayBeLess: boolean): Promise<number> {
    let bytesRead = -1
    for (const range of this.ranges) {
      const end = range.start + range.bytes.length
      const reachesEof = end === this.fileInfo.size
      if (position >= range.start && (position + length <= end || (reachesEof && position <= end))) {
        bytesRead = Math.min(length, end - position)
        target.set(range.bytes.subarray(position - range.start, position - range.start + bytesRead))
        break
      }
    }
    if (bytesRead === -1) bytesRead = await this.readAround(target, position, length)
    if (!mayBeLess && bytesRead < length) throw new EndOfStreamError()
    return bytesRead
  }

  private async readAround (target: Uint8Array, position: number, length: number): Promise<number> {
    const end = position + length
    let cursor = position
    for (const range of this.unread) {
      if (range.end <= cursor || range.start >= end) continue
      if (range.start > cursor) {
        const want = range.start - cursor
        const got = await readInto(this.handle, target.subarray(cursor - position), cursor, want)
        if (got < want) return cursor - position + got
      }
      const skipTo = Math.min(range.end, end)
      target.fill(0, Math.max(range.start, cursor) - position, skipTo - position)
      cursor = skipTo
    }
    if (cursor === end) return length
    return cursor - position + await readInto(this.handle, target.subarray(cursor - position), cursor, end - cursor)
  }
}

async function readInto (handle: Source, target: Uint8Array, position: number, length: number): Promise<number> {
  let done = 0
  while (done < length) {
    const bytesRead = await handle.read(target, done, length - done, position + done)
    if (bytesRead === 0) break
    done += bytesRead
  }
  return done
}

async function readFully (handle: Source, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length)
  const read = await readInto(handle, bytes, position, length)
  return read === length ? bytes : bytes.subarray(0, read)
}
