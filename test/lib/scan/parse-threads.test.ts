// When parsing runs on threads: started by the first batch, let go once batches stop, never
// let go under a batch in flight, and given up for the main thread once they fail.
import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { createParseThreads } from '../../../lib/scan/parse-threads.js'
import type { ParsePool } from '../../../lib/scan/parse-pool.js'
import type { ParseOutcome } from '../../../lib/scan/parse.js'
import type { FileStamp } from '../../../lib/scan/track-repository.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const FILES: FileStamp[] = [{ path: 'a.mp3', size: 1, mtimeMs: 1 }, { path: 'b.mp3', size: 1, mtimeMs: 1 }]
const OPTIONS = { coverArtSizeLimit: 0 }
const outcome = (where: string): ParseOutcome => ({ kind: 'skipped', reason: where })

interface FakePools {
  started: number[]
  closed: number
  startPool: (threads: number) => ParsePool
}

// Pools that answer at once, or, given `gate`, once it resolves; `fail` makes them reject.
function fakePools (behaviour: { gate?: () => Promise<void>, fail?: boolean } = {}): FakePools {
  const pools: FakePools = {
    started: [],
    closed: 0,
    startPool: (threads) => {
      pools.started.push(threads)
      return {
        parse: async (_root, files) => {
          await behaviour.gate?.()
          if (behaviour.fail === true) throw new Error('thread could not start')
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

t.test('threads that fail hand this and every later batch to the main thread', async (t) => {
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
