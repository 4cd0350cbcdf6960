// When parsing runs on threads: started by the first batch, let go once batches stop, never
// let go under a batch in flight, and given up for the main thread only when they cannot start;
// a thread that dies on a batch costs only the file that killed it.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createParseThreads } from '../../../lib/scan/parse-threads.js'
import type { ParsePool } from '../../../lib/scan/parse-pool.js'
import type { ParseOutcome } from '../../../lib/scan/parse.js'
import type { FileStamp } from '../../../lib/scan/track-repository.js'
import { encodeAudio, writeAudioFixture } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const FILES: FileStamp[] = [{ path: 'a.mp3', size: 1, mtimeMs: 1 }, { path: 'b.mp3', size: 1, mtimeMs: 1 }]
const OPTIONS = { coverArtSizeLimit: 0 }
const outcome = (where: string): ParseOutcome => ({ kind: 'skipped', reason: where })

interface FakePools {
  started: number[]
  closed: number
  // The files of each batch the pools were given.
  batches: string[][]
  startPool: (threads: number) => ParsePool
}

interface Behaviour {
  gate?: () => Promise<void>
  fail?: boolean
  // A batch holding one of these files loses its thread, with this error.
  kills?: Record<string, Error>
}

// Pools that answer at once, or, given `gate`, once it resolves; `fail` makes them reject, and
// `kills` makes the batches holding those files reject.
function fakePools (behaviour: Behaviour = {}): FakePools {
  const pools: FakePools = {
    started: [],
    closed: 0,
    batches: [],
    startPool: (threads) => {
      pools.started.push(threads)
      return {
        parse: async (_root, files) => {
          pools.batches.push(files.map((f) => f.path))
          await behaviour.gate?.()
          if (behaviour.fail === true) throw new Error('thread could not start')
          const killer = files.find((f) => behaviour.kills?.[f.path] !== undefined)
          if (killer !== undefined) throw behaviour.kills?.[killer.path]
          return files.map(() => outcome('thread'))
        },
        // Each pool says it worked one second.
        busySeconds: () => 1,
        size: threads,
        close: async () => { pools.closed++ }
      }
    }
  }
  return pools
}

const mainThread = async (_root: string, files: FileStamp[]): Promise<ParseOutcome[]> => files.map(() => outcome('main'))
const quiet = { warn: () => {} }

const stamps = (...paths: string[]): FileStamp[] => paths.map((path) => ({ path, size: 1, mtimeMs: 1 }))
function outOfMemory (): Error {
  return Object.assign(new Error('Worker terminated due to reaching memory limit: JS heap out of memory'), { code: 'ERR_WORKER_OUT_OF_MEMORY' })
}
// A main thread that records what it was given.
function mainThreadSpy (): { parse: typeof mainThread, used: string[] } {
  const spy = {
    used: [] as string[],
    parse: async (root: string, files: FileStamp[]) => {
      spy.used.push(...files.map((f) => f.path))
      return await mainThread(root, files)
    }
  }
  return spy
}

t.test('no threads until the first batch; then one pool serves every batch', async (t) => {
  const pools = fakePools()
  const threads = createParseThreads({ log: quiet, threads: 3, idleMs: 60_000, startPool: pools.startPool, mainThread })
  t.after(() => threads.close())
  t.equal(threads.isRunning(), false)
  t.same(pools.started, [], 'creating it starts nothing')
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('thread'), outcome('thread')])
  await threads.parse('/m', FILES, OPTIONS)
  t.same(pools.started, [3], 'one pool of the asked size')
  t.equal(threads.isRunning(), true)
  await threads.close()
  t.equal(pools.closed, 1, 'closing closes the pool')
  t.equal(threads.isRunning(), false)
})

t.test('threads are let go once batches stop, and started again by the next one', async (t) => {
  const pools = fakePools()
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 20, startPool: pools.startPool, mainThread })
  t.after(() => threads.close())
  await threads.parse('/m', FILES, OPTIONS)
  await sleep(80)
  t.equal(pools.closed, 1, 'idle threads are closed')
  t.equal(threads.isRunning(), false)
  t.same(threads.usage(), { threads: 0, busySeconds: 1 }, 'no threads up; the closed pool\'s work still counts')
  await threads.parse('/m', FILES, OPTIONS)
  t.same(pools.started, [2, 2], 'the next batch starts a new pool')
  t.same(threads.usage(), { threads: 2, busySeconds: 2 }, 'the busy time only grows')
})

t.test('a batch in flight keeps the threads past the idle time of an earlier one', async (t) => {
  let open!: () => void
  let held = false
  const pools = fakePools({
    gate: async () => {
      if (!held) return
      await new Promise<void>((resolve) => { open = resolve })
    }
  })
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 20, startPool: pools.startPool, mainThread })
  t.after(() => threads.close())
  await threads.parse('/m', FILES, OPTIONS)
  held = true
  const slow = threads.parse('/m', FILES, OPTIONS)
  await sleep(80)
  t.equal(pools.closed, 0, 'not closed under a running batch')
  t.equal(threads.isRunning(), true)
  open()
  await slow
  await sleep(80)
  t.equal(pools.closed, 1, 'closed once it has finished')
})

t.test('a thread that dies on a batch costs only the file that killed it', async (t) => {
  const pools = fakePools({ kills: { 'bomb.flac': outOfMemory() } })
  const main = mainThreadSpy()
  const warnings: unknown[] = []
  const threads = createParseThreads({ log: { warn: (obj) => warnings.push(obj) }, threads: 2, idleMs: 60_000, startPool: pools.startPool, mainThread: main.parse })
  t.after(() => threads.close())
  t.same(await threads.parse('/m', stamps('a.flac', 'b.flac'), OPTIONS), [outcome('thread'), outcome('thread')])
  const outcomes = await threads.parse('/m', stamps('c.flac', 'bomb.flac', 'd.flac'), OPTIONS)
  t.same(outcomes, [outcome('thread'), { kind: 'failed', reason: 'parse thread ran out of memory reading its tags', transient: false }, outcome('thread')], 'only the bomb fails')
  t.same(pools.batches.slice(1), [['c.flac', 'bomb.flac', 'd.flac'], ['c.flac'], ['bomb.flac'], ['d.flac']], 'the batch is parsed again one file at a time')
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('thread'), outcome('thread')], 'later batches stay on threads')
  t.same(pools.started, [2], 'the same pool throughout')
  t.ok(warnings.length >= 1, 'the death is logged')
  t.equal(threads.isRunning(), true)
  t.same(main.used, [], 'nothing was parsed on the main thread')
})

t.test('a thread that runs out of memory on the very first batch is no reason to give up threads', async (t) => {
  const pools = fakePools({ kills: { 'bomb.flac': outOfMemory() } })
  const main = mainThreadSpy()
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 60_000, startPool: pools.startPool, mainThread: main.parse })
  t.after(() => threads.close())
  t.match(await threads.parse('/m', stamps('bomb.flac', 'a.flac'), OPTIONS), [{ kind: 'failed', reason: /ran out of memory/, transient: false }, outcome('thread')])
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('thread'), outcome('thread')], 'the next batch is on threads')
  t.same(pools.started, [2])
  t.same(main.used, [], 'nothing was parsed on the main thread')
})

t.test('once threads have worked, any death of one fails only its file, with the error it gave', async (t) => {
  const pools = fakePools({ kills: { 'odd.mp3': new Error('native crash') } })
  const main = mainThreadSpy()
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 60_000, startPool: pools.startPool, mainThread: main.parse })
  t.after(() => threads.close())
  await threads.parse('/m', FILES, OPTIONS)
  t.same(await threads.parse('/m', stamps('a.mp3', 'odd.mp3'), OPTIONS), [outcome('thread'), { kind: 'failed', reason: 'native crash', transient: false }])
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('thread'), outcome('thread')])
  t.same(main.used, [], 'nothing was parsed on the main thread')
})

t.test('a batch whose pool is closed under it fails, and nothing goes to the main thread', async (t) => {
  let open!: () => void
  const pools = fakePools({ gate: async () => { await new Promise<void>((resolve) => { open = resolve }) }, kills: { 'a.mp3': new Error('parse threads closed') } })
  const main = mainThreadSpy()
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 60_000, startPool: pools.startPool, mainThread: main.parse })
  const batch = threads.parse('/m', FILES, OPTIONS)
  await sleep(10)
  await threads.close()
  open()
  await t.rejects(batch, { message: 'parse threads closed' })
  t.same(pools.batches, [['a.mp3', 'b.mp3']], 'not parsed again')
  t.same(main.used, [], 'nothing was parsed on the main thread')
})

t.test('threads that cannot start hand this and every later batch to the main thread', async (t) => {
  const pools = fakePools({ fail: true })
  const warnings: unknown[] = []
  const threads = createParseThreads({ log: { warn: (obj) => warnings.push(obj) }, threads: 4, idleMs: 20, startPool: pools.startPool, mainThread })
  t.after(() => threads.close())
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('main'), outcome('main')], 'the failed batch is still parsed')
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('main'), outcome('main')])
  t.same(pools.started, [4], 'no second try at threads')
  t.equal(warnings.length, 1, 'said once')
  t.match(warnings[0], { err: { message: 'thread could not start' } })
})

t.test('with fewer than two threads parsing stays on the main thread', async (t) => {
  const pools = fakePools()
  const threads = createParseThreads({ log: quiet, threads: 1, startPool: pools.startPool, mainThread })
  t.after(() => threads.close())
  t.same(await threads.parse('/m', FILES, OPTIONS), [outcome('main'), outcome('main')])
  t.same(pools.started, [])
})

t.test('with the real pool and parser, tags are read on threads', async (t) => {
  const root = await tempDir(t)
  await writeAudioFixture(root, 'mp3', { name: 'a', tags: { title: 'Alpha', artist: 'Ann' } })
  await writeAudioFixture(root, 'flac', { name: 'b', tags: { title: 'Beta', artist: 'Bob' } })
  const threads = createParseThreads({ log: quiet, threads: 2 })
  t.after(() => threads.close())
  const outcomes = await threads.parse(root, [{ path: 'a.mp3', size: 0, mtimeMs: 0 }, { path: 'b.flac', size: 0, mtimeMs: 0 }], OPTIONS)
  t.equal(threads.isRunning(), true, 'on threads')
  t.match(outcomes, [{ kind: 'track', tags: { title: 'Alpha' } }, { kind: 'track', tags: { title: 'Beta' } }])
  const usage = threads.usage()
  t.equal(usage.threads, 2, 'two threads up')
  t.ok(usage.busySeconds > 0 && usage.busySeconds < 60, `the threads report the time they worked (${usage.busySeconds} s)`)
  await threads.close()
  t.ok(threads.usage().busySeconds >= usage.busySeconds, 'closing keeps what they did')
})

// A FLAC of valid STREAMINFO and audio around one VORBIS_COMMENT block of ~15.8 MB holding
// 1,300,000 short comments: the parser's tag list outgrows a parse thread's heap.
async function writeCommentBomb (path: string): Promise<void> {
  const file = await readFile(await encodeAudio('flac', { seconds: 1 }))
  let pos = 4
  const blocks: Buffer[] = []
  for (;;) {
    const last = (file[pos] & 0x80) !== 0
    const length = file.readUIntBE(pos + 1, 3)
    if ((file[pos] & 0x7f) === 0) blocks.push(Buffer.from(file.subarray(pos, pos + 4 + length)))
    pos += 4 + length
    if (last) break
  }
  const audio = file.subarray(pos)
  const count = 1_300_000
  const vendor = Buffer.from('test')
  const parts: Buffer[] = [Buffer.alloc(4), vendor, Buffer.alloc(4)]
  parts[0].writeUInt32LE(vendor.length)
  parts[2].writeUInt32LE(count)
  for (let i = 0; i < count; i++) {
    const comment = Buffer.from(`X=${i}`)
    const length = Buffer.alloc(4)
    length.writeUInt32LE(comment.length)
    parts.push(length, comment)
  }
  const body = Buffer.concat(parts)
  const header = Buffer.alloc(4)
  header[0] = 4 | 0x80
  header.writeUIntBE(body.length, 1, 3)
  blocks[0][0] &= 0x7f
  await writeFile(path, Buffer.concat([Buffer.from('fLaC', 'latin1'), ...blocks, header, body, audio]))
}

t.test('with the real pool, a file that runs a thread out of memory fails alone and the threads carry on', async (t) => {
  const root = await tempDir(t)
  await writeAudioFixture(root, 'flac', { name: 'good', tags: { title: 'Good', artist: 'Gail' } })
  await writeCommentBomb(join(root, 'bomb.flac'))
  const main = mainThreadSpy()
  const threads = createParseThreads({ log: quiet, threads: 2, idleMs: 60_000, mainThread: main.parse })
  t.after(() => threads.close())
  const outcomes = await threads.parse(root, [{ path: 'good.flac', size: 0, mtimeMs: 0 }, { path: 'bomb.flac', size: 0, mtimeMs: 0 }], OPTIONS)
  t.match(outcomes, [{ kind: 'track', tags: { title: 'Good' } }, { kind: 'failed', reason: /ran out of memory/, transient: false }])
  t.equal(threads.isRunning(), true, 'still on threads')
  t.equal(threads.usage().threads, 2, 'two threads up')
  t.match(await threads.parse(root, [{ path: 'good.flac', size: 0, mtimeMs: 0 }], OPTIONS), [{ kind: 'track', tags: { title: 'Good' } }], 'the next batch is parsed on threads')
  t.same(main.used, [], 'nothing was parsed on the main thread')
})
