import t from 'tap'
import { randomUUID } from 'node:crypto'
import { closeSync, existsSync, readSync } from 'node:fs'
import { readdir, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { entryName, TranscodeCache, type SourceVersion } from '../../../lib/transcode/transcode-cache.js'
import type { TargetFormat } from '../../../lib/transcode/formats.js'
import { tempDir } from '../../helper.js'

const source = (over: Partial<SourceVersion> = {}): SourceVersion => ({ trackId: randomUUID(), size: 1000, mtimeMs: 1_700_000_000_000, ctimeMs: 1_700_000_000_000, ino: 42, ...over })

async function keep (cache: TranscodeCache, src: SourceVersion, bytes: Buffer, format: TargetFormat = 'opus', bitrate: number | null = 128): Promise<void> {
  const writer = cache.writer(src, format, bitrate)
  if (writer === null) throw new Error('cache disabled')
  // Written in pieces, as a transcode's output arrives.
  for (let i = 0; i < bytes.length; i += 300) writer.stream.write(bytes.subarray(i, i + 300))
  await writer.commit()
}

function readAll (fd: number, size: number): Buffer {
  const out = Buffer.alloc(size)
  let at = 0
  while (at < size) {
    const n = readSync(fd, out, at, size - at, at)
    if (n === 0) break
    at += n
  }
  return out.subarray(0, at)
}

const files = async (dir: string): Promise<string[]> => (await readdir(dir)).sort()

// Removal of other versions' and discarded files is not awaited by open() and discard(): the
// listing is read until it is what is expected (or 2 s have passed, on a busy machine).
async function filesSettled (dir: string, expected: string[]): Promise<string[]> {
  let now = await files(dir)
  for (let i = 0; i < 100 && JSON.stringify(now) !== JSON.stringify(expected); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    now = await files(dir)
  }
  return now
}

t.test('a committed transcode opens as a file with its bytes', async (t) => {
  const dir = join(await tempDir(t), 'transcodes')
  const cache = new TranscodeCache(dir, 1024 * 1024)
  await cache.init()
  t.ok(cache.enabled)
  const src = source()
  t.equal(cache.open(src, 'opus', 128), null, 'nothing before a commit')
  const bytes = Buffer.from('x'.repeat(1000) + 'end')
  await keep(cache, src, bytes)
  t.same(await files(dir), [entryName(src, 'opus', 128)], 'one file, no partial left')
  t.equal(cache.count, 1)
  t.equal(cache.size, bytes.length)
  const hit = cache.open(src, 'opus', 128)
  if (hit === null) throw new Error('no hit')
  t.ok(hit.stats.isFile())
  t.equal(hit.stats.size, bytes.length, 'its size, for Content-Length and ranges')
  t.ok(readAll(hit.fd, bytes.length).equals(bytes))
  closeSync(hit.fd)
  t.equal(cache.open(src, 'opus', 96), null, 'another bitrate is another entry')
  t.equal(cache.open(src, 'mp3', 128), null, 'another format is another entry')
  t.equal(cache.open({ ...src, trackId: src.trackId.toUpperCase() }, 'opus', 128) !== null, true, 'track ids in any case')
  t.match(entryName(src, 'flac', null), /\.flac\.tc$/, 'a lossless entry has no bitrate in its name')
})

t.test('least recently used entries go first once the size cap is passed', async (t) => {
  const dir = await tempDir(t)
  const cache = new TranscodeCache(dir, 3000)
  await cache.init()
  const [a, b, c, d] = [source(), source(), source(), source()]
  await keep(cache, a, Buffer.alloc(1000, 1))
  await keep(cache, b, Buffer.alloc(1000, 2))
  await keep(cache, c, Buffer.alloc(1000, 3))
  t.equal(cache.size, 3000)
  const hit = cache.open(a, 'opus', 128) // a is now the most recent
  if (hit !== null) closeSync(hit.fd)
  await keep(cache, d, Buffer.alloc(1000, 4))
  t.equal(cache.count, 3)
  t.equal(cache.size, 3000)
  t.notOk(existsSync(join(dir, entryName(b, 'opus', 128))), 'the least recent file is deleted')
  t.equal(cache.open(b, 'opus', 128), null)
  for (const kept of [a, c, d]) {
    const h = cache.open(kept, 'opus', 128)
    t.ok(h !== null, 'kept')
    if (h !== null) closeSync(h.fd)
  }
  // A big one pushes out as many as it takes.
  await keep(cache, source(), Buffer.alloc(2500, 5))
  t.equal(cache.count, 1, 'only the newest fits')
  t.equal(cache.size, 2500)
  t.equal((await files(dir)).length, 1)
})

t.test('an entry larger than the whole cap is not kept', async (t) => {
  const dir = await tempDir(t)
  const cache = new TranscodeCache(dir, 1000)
  await cache.init()
  const small = source()
  await keep(cache, small, Buffer.alloc(500))
  await keep(cache, source(), Buffer.alloc(1001))
  t.equal(cache.count, 1, 'the small one stays')
  t.same(await files(dir), [entryName(small, 'opus', 128)], 'no file for the big one')
})

t.test('a new version of the source removes the old version\'s entries', async (t) => {
  const dir = await tempDir(t)
  const cache = new TranscodeCache(dir, 1024 * 1024)
  await cache.init()
  const v1 = source()
  const other = source()
  await keep(cache, v1, Buffer.alloc(100), 'opus', 128)
  await keep(cache, v1, Buffer.alloc(100), 'mp3', 192)
  await keep(cache, other, Buffer.alloc(100))
  const retagged = { ...v1, mtimeMs: v1.mtimeMs + 5000 }
  t.equal(cache.open(retagged, 'opus', 128), null, 'the new version has no entry')
  t.same(await filesSettled(dir, [entryName(other, 'opus', 128)]), [entryName(other, 'opus', 128)], 'both old entries are gone; another track\'s stays')
  t.equal(cache.count, 1)
  t.equal(cache.size, 100)
  // Replaced (same mtime, another inode or size) is another version too.
  await keep(cache, retagged, Buffer.alloc(100))
  t.equal(cache.open({ ...retagged, ino: 43 }, 'opus', 128), null)
  t.equal(cache.open({ ...retagged, size: 999 }, 'opus', 128), null)
  // Rewritten in place at the same size with its mtime put back: only the change time tells.
  await keep(cache, retagged, Buffer.alloc(100))
  t.equal(cache.open({ ...retagged, ctimeMs: retagged.ctimeMs + 1 }, 'opus', 128), null)
  t.same(await filesSettled(dir, [entryName(other, 'opus', 128)]), [entryName(other, 'opus', 128)])
})

t.test('a restart picks up kept entries, oldest use first, and removes half-written ones', async (t) => {
  const dir = await tempDir(t)
  const first = new TranscodeCache(dir, 10_000)
  await first.init()
  const [old, recent] = [source(), source()]
  await keep(first, old, Buffer.alloc(1000))
  await keep(first, recent, Buffer.alloc(1000))
  const dangling = first.writer(source(), 'opus', 128)
  dangling?.stream.write(Buffer.alloc(100))
  await new Promise<void>((resolve) => dangling?.stream.once('ready', () => resolve()))
  await writeFile(join(dir, 'unrelated.txt'), 'not ours')
  // The old one was last used long ago.
  const past = new Date(Date.now() - 86_400_000)
  await utimes(join(dir, entryName(old, 'opus', 128)), past, past)
  t.ok((await files(dir)).some((name) => name.endsWith('.partial')), 'a transcode was being written')

  const second = new TranscodeCache(dir, 1500)
  await second.init()
  t.equal(second.count, 1, 'over the new cap: the least recent went')
  t.equal(second.size, 1000)
  t.same(await files(dir), [entryName(recent, 'opus', 128), 'unrelated.txt'].sort(), 'partial gone, other files left alone')
  const hit = second.open(recent, 'opus', 128)
  t.ok(hit !== null, 'served after the restart')
  if (hit !== null) closeSync(hit.fd)
  dangling?.stream.destroy()
})

t.test('a discarded transcode leaves nothing', async (t) => {
  const dir = await tempDir(t)
  const cache = new TranscodeCache(dir, 10_000)
  await cache.init()
  const src = source()
  const writer = cache.writer(src, 'aac', 96)
  if (writer === null) throw new Error('cache disabled')
  writer.stream.write(Buffer.alloc(500))
  writer.discard()
  writer.discard()
  await writer.commit() // after a discard: nothing
  t.same(await filesSettled(dir, []), [])
  t.equal(cache.count, 0)
  t.equal(cache.open(src, 'aac', 96), null)
})

t.test('TRANSCODE_CACHE_MB=0: no cache at all', async (t) => {
  const dir = join(await tempDir(t), 'transcodes')
  const cache = new TranscodeCache(dir, 0)
  await cache.init()
  t.notOk(cache.enabled)
  t.notOk(existsSync(dir), 'no directory made')
  t.equal(cache.writer(source(), 'opus', 128), null)
  t.equal(cache.open(source(), 'opus', 128), null)
})
