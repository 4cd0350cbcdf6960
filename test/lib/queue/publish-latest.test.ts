// publishLatest and consumers, the same from both backends: one job waits per key (a newer id
// replaces it, the same id changes nothing), the cap on pending jobs skips new keys but never a
// replacement, a failed id blocks its republishing unless asked, and with BullMQ the cap holds
// across publishers, a running job's successor runs after it, and a finished job leaves Redis.
import t, { type Test } from 'tap'
import { Redis } from 'ioredis'
import { createBullQueue } from '../../../lib/queue/bullmq-queue.js'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import type { InspectableQueue, KeyedJob, PublishOutcome } from '../../../lib/queue/job-queue.js'
import { REDIS_HOST, REDIS_PORT, redisPrefix, skipReason } from '../../helper.js'

interface Track {
  track: string
  state: string
}

interface Opened {
  queue: InspectableQueue
  // Another process sharing the queue (BullMQ: a second instance on the same prefix); the
  // in-process queue has no other process, so it is the queue itself.
  peer: () => Promise<InspectableQueue>
  // BullMQ's key prefix; undefined in-process.
  prefix?: string
}

interface Backend {
  name: string
  skip: string | false
  open: (t: Test) => Promise<Opened>
}

// `<track>.<state>` ids, as the analysis service names them in spirit: the key is the track.
function job (track: string, state: string): KeyedJob<Track> {
  return { key: track, id: `${track}.${state}`, data: { track, state } }
}

// The counts of an outcome, for t.match (the key lists are checked where they matter).
function outcome (o: Partial<PublishOutcome>): Partial<PublishOutcome> {
  return { added: 0, replaced: 0, unchanged: 0, skipped: 0, ...o }
}

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function until (check: () => Promise<boolean>, ms = 5000): Promise<boolean> {
  const giveUpAt = Date.now() + ms
  while (Date.now() < giveUpAt) {
    if (await check()) return true
    await sleep(20)
  }
  return await check()
}

// Asked before the first test runs: tap ends the file once its tests are done.
const redisSkip = await skipReason({ redis: true })

const memory: Backend = {
  name: 'in-process queue',
  skip: false,
  open: async (t) => {
    const queue = createMemoryQueue()
    t.after(() => queue.close())
    return { queue, peer: async () => queue }
  }
}

function newBullQueue (t: Test, prefix: string): InspectableQueue {
  const queue = createBullQueue({ host: REDIS_HOST, port: REDIS_PORT, prefix, lockMs: 5000 })
  t.after(() => queue.close())
  return queue
}

// Connected before use: publishLatest as a queue's first command fails (see the start-up test
// below), and the other tests are about something else.
async function bullQueue (t: Test, prefix: string): Promise<InspectableQueue> {
  const queue = newBullQueue(t, prefix)
  await queue.assertReachable()
  return queue
}

const bull: Backend = {
  name: 'BullMQ queue',
  skip: redisSkip,
  open: async (t) => {
    const prefix = await redisPrefix(t)
    return { queue: await bullQueue(t, prefix), peer: async () => await bullQueue(t, prefix), prefix }
  }
}

function redisClient (t: Test): Redis {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 1 })
  client.on('error', () => {})
  t.after(() => client.disconnect())
  return client
}

// Keys of a queue's jobs that name a track: job hashes (and their :lock, :logs...), deduplication
// keys (de:<track>) and the payloads kept aside for after a running job (dn:<track>).
async function trackKeys (redis: Redis, prefix: string, track: string): Promise<string[]> {
  const keys = await redis.keys(`${prefix}:analysis:*`)
  return keys.filter((k) => k.includes(track)).sort()
}

for (const backend of [memory, bull]) {
  t.test(backend.name, { skip: backend.skip }, async (t) => {
    t.test('one job waits per key: the same id changes nothing, a new id replaces it', async (t) => {
      const { queue } = await backend.open(t)
      const limits = { maxPending: 10 }
      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], limits), outcome({ added: 1 }), 'a new key is added')
      t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'a' }])

      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], limits), outcome({ unchanged: 1 }), 'the same id again')
      t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'a' }], 'still one job')

      t.match(await queue.publishLatest('analysis', [job('t1', 'b')], limits), outcome({ replaced: 1 }), 'a new id for the key')
      t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'b' }], 'only the newer job waits')
      t.match(await queue.depth('analysis'), { waiting: 1, active: 0, delayed: 0 })
      t.notOk(await queue.isPending('analysis', 't1.a'), 'the replaced job is gone')
      t.ok(await queue.isPending('analysis', 't1.b'))

      t.match(await queue.publishLatest('analysis', [job('t1', 'b'), job('t2', 'a')], limits), outcome({ unchanged: 1, added: 1 }), 'a batch counts each job')
      t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'b' }, { track: 't2', state: 'a' }])
      t.match(await queue.publishLatest('analysis', [], limits), outcome({}), 'nothing to publish')
    })

    t.test('the cap skips new keys, never a replacement', async (t) => {
      const { queue } = await backend.open(t)
      const limits = { maxPending: 3 }
      const first = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => job(k, 'a'))
      t.match(await queue.publishLatest('analysis', first, limits), outcome({ added: 3, skipped: 2 }))
      t.same(await queue.waiting('analysis'), [
        { track: 'k1', state: 'a' }, { track: 'k2', state: 'a' }, { track: 'k3', state: 'a' }
      ], 'the first three, in order')

      t.match(await queue.publishLatest('analysis', [job('k2', 'b')], limits), outcome({ replaced: 1 }), 'a replacement at the cap')
      const waiting = await queue.waiting<Track>('analysis')
      t.equal(waiting.length, 3, 'still three waiting')
      t.same(waiting.filter((d) => d.track === 'k2'), [{ track: 'k2', state: 'b' }], 'k2 waits with its new state')

      t.match(await queue.publishLatest('analysis', [job('k4', 'a'), job('k3', 'b'), job('k1', 'a')], limits),
        outcome({ skipped: 1, replaced: 1, unchanged: 1 }), 'in one batch, a new key is skipped and the others go through')
      t.equal((await queue.waiting('analysis')).length, 3)
      t.match(await queue.depth('analysis'), { waiting: 3 })
    })

    t.test('jobs with no key count in the depth and against the cap', async (t) => {
      const { queue } = await backend.open(t)
      await queue.add('analysis', { plain: 1 })
      await queue.addBulk('analysis', [{ plain: 2 }, { plain: 3 }])
      t.match(await queue.publishLatest('analysis', [job('t1', 'a'), job('t2', 'a'), job('t3', 'a')], { maxPending: 4 }),
        outcome({ added: 1, skipped: 2 }), 'three unkeyed jobs pending: room for one more')
      t.match(await queue.depth('analysis'), { waiting: 4, active: 0, delayed: 0, failed: 0 })
      t.match(await queue.publishLatest('analysis', [job('t1', 'b')], { maxPending: 4 }), outcome({ replaced: 1 }))
      t.match(await queue.depth('analysis'), { waiting: 4 }, 'a replacement does not add to the depth')
      t.equal((await queue.waiting('analysis')).length, 4)
      t.match(await queue.depth('index'), { waiting: 0 }, 'other queues are untouched')
    })

    t.test('consumers: nobody, then a process consuming the queue', async (t) => {
      const { queue, peer } = await backend.open(t)
      t.equal(await queue.consumers('analysis'), 0, 'nobody processes the queue yet')
      const consumer = await peer()
      consumer.process('analysis', async () => {})
      t.ok(await until(async () => ((await queue.consumers('analysis')) ?? 0) >= 1), 'seen by the publisher')
      t.ok(((await queue.consumers('analysis')) ?? 0) >= 1)
      t.equal(await queue.consumers('index'), 0, 'per queue')
      if (consumer !== queue) {
        await consumer.close()
        t.ok(await until(async () => (await queue.consumers('analysis')) === 0), 'gone once the consumer closed')
        t.equal(await queue.consumers('analysis'), 0)
      }
    })

    t.test('a failed id is not published again unless asked', async (t) => {
      const { queue } = await backend.open(t)
      const runs: string[] = []
      let failing = true
      queue.process<Track>('analysis', async (data) => {
        runs.push(`${data.track}.${data.state}`)
        if (failing && data.track === 't1') throw new Error('analysis failed')
      })
      const t1Runs = (): number => runs.filter((id) => id === 't1.a').length
      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10 }), outcome({ added: 1 }))
      t.same(await queue.waitUntilDone('analysis', ['t1.a']), { failed: 1 }, 'failed for good')
      const ranBefore = t1Runs()
      t.ok(ranBefore >= 1)
      t.match(await queue.depth('analysis'), { waiting: 0, active: 0, delayed: 0, failed: 1 })

      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10 }), outcome({ unchanged: 1 }),
        'the failed id again, without retryFailed')
      // Room for one job: the failed id takes none of it, a new key gets it.
      t.match(await queue.publishLatest('analysis', [job('t1', 'a'), job('t2', 'a')], { maxPending: 1 }), outcome({ unchanged: 1, added: 1 }),
        'the failed id does not count against the cap')
      t.same(await queue.waitUntilDone('analysis', ['t2.a']), { failed: 0 })
      t.ok(await until(async () => runs.includes('t2.a'), 2000), 't2.a ran')
      await sleep(300)
      t.equal(t1Runs(), ranBefore, 'the failed id did not run again')
      t.notOk(await queue.isPending('analysis', 't1.a'))
      t.match(await queue.depth('analysis'), { waiting: 0, active: 0, delayed: 0 })

      failing = false
      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10, retryFailed: true }), outcome({ added: 1 }),
        'with retryFailed it is published again')
      t.same(await queue.waitUntilDone('analysis', ['t1.a']), { failed: 0 }, 'and succeeds this time')
      t.equal(t1Runs(), ranBefore + 1, 'it ran once more')
      t.match(await queue.depth('analysis'), { waiting: 0, active: 0, delayed: 0 })
    })

    t.test('a running job replaced: its successor runs after it, once', async (t) => {
      const { queue, peer, prefix } = await backend.open(t)
      const runs: string[] = []
      let release!: () => void
      const held = new Promise<void>((resolve) => { release = resolve })
      const consumer = await peer()
      consumer.process<Track>('analysis', async (data) => {
        runs.push(data.state)
        if (data.state === 'a') await held
      })

      t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10 }), outcome({ added: 1 }))
      t.ok(await until(async () => runs.includes('a')), 't1.a runs')
      t.match(await queue.depth('analysis'), { active: 1 })

      t.match(await queue.publishLatest('analysis', [job('t1', 'b')], { maxPending: 10 }), outcome({ replaced: 1 }), 'a new id while t1.a runs')
      t.ok(await queue.isPending('analysis', 't1.a'), 't1.a still runs')
      const again = await queue.publishLatest('analysis', [job('t1', 'b')], { maxPending: 10 })
      t.equal(again.added + again.skipped, 0, 'the same new id again adds nothing')
      t.match(again, { ...outcome({ unchanged: 1 }), settledKeys: ['t1'] }, 'the same new id again is unchanged: it already follows t1.a')
      if (prefix !== undefined) {
        // BullMQ keeps it aside (keepLastIfActive), out of the waiting list, until t1.a ends.
        t.same(await queue.waiting('analysis'), [], 't1.b waits aside until t1.a ends')
      } else {
        t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'b' }], 't1.b waits')
      }

      release()
      t.ok(await until(async () => runs.includes('b')), 't1.b runs after t1.a')
      t.ok(await until(async () => {
        const depth = await queue.depth('analysis')
        return depth.waiting + depth.active + depth.delayed === 0
      }), 'then nothing is pending')
      await sleep(300)
      t.same(runs, ['a', 'b'], 'each once, no third job')
      if (prefix !== undefined) t.same(await trackKeys(redisClient(t), prefix, 't1'), [], 'nothing of t1 is left in Redis')
    })
  })
}

t.test('BullMQ only', { skip: redisSkip }, async (t) => {
  t.test('publishLatest as the first command after start-up is not refused', async (t) => {
    // add() and depth() wait for the first connection (BullMQ's commands do); publishLatest's
    // turn is taken with a plain SET on the producer, which has no offline queue.
    const queue = newBullQueue(t, await redisPrefix(t))
    t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10 }), outcome({ added: 1 }))
    t.same(await queue.waiting('analysis'), [{ track: 't1', state: 'a' }])
  })

  t.test('the cap holds exactly across two publishers sharing the queue', async (t) => {
    const { queue: one, peer } = await bull.open(t)
    const two = await peer()
    const keys = (side: string): Array<KeyedJob<Track>> => Array.from({ length: 50 }, (_, i) => job(`${side}${i}`, 'a'))
    const inTens = (jobs: Array<KeyedJob<Track>>): Array<Array<KeyedJob<Track>>> =>
      Array.from({ length: 5 }, (_, i) => jobs.slice(i * 10, i * 10 + 10))
    const limits = { maxPending: 30 }
    // Several calls at once from each publisher, so that both take turns many times.
    const outcomes = await Promise.all([
      ...inTens(keys('a')).map(async (batch) => await one.publishLatest('analysis', batch, limits)),
      ...inTens(keys('b')).map(async (batch) => await two.publishLatest('analysis', batch, limits))
    ])
    const sum = (field: Exclude<keyof PublishOutcome, 'skippedKeys' | 'settledKeys'>): number => outcomes.reduce((n, o) => n + o[field], 0)
    t.equal(sum('added'), 30)
    t.equal(sum('skipped'), 70)
    t.equal(new Set(outcomes.flatMap((o) => o.skippedKeys)).size, 70, 'each skipped key is named once')
    t.equal(sum('replaced') + sum('unchanged'), 0)
    t.match(await one.depth('analysis'), { waiting: 30 }, 'exactly the cap waits')
    t.equal((await two.waiting('analysis')).length, 30)
  })

  t.test('a completed job leaves neither its hash nor its deduplication key', async (t) => {
    const { queue, prefix } = await bull.open(t)
    const redis = redisClient(t)
    const p = prefix as string
    t.match(await queue.publishLatest('analysis', [job('t1', 'a'), job('t2', 'a')], { maxPending: 10 }), outcome({ added: 2 }))
    t.equal(await redis.exists(`${p}:analysis:t1.a`), 1, 'the job hash while it waits')
    t.equal(await redis.get(`${p}:analysis:de:t1`), 't1.a', 'the deduplication key names the waiting job')

    queue.process<Track>('analysis', async () => {})
    t.same(await queue.waitUntilDone('analysis', ['t1.a', 't2.a']), { failed: 0 })
    t.equal(await redis.exists(`${p}:analysis:t1.a`, `${p}:analysis:t2.a`), 0, 'no job hash')
    t.equal(await redis.exists(`${p}:analysis:de:t1`, `${p}:analysis:de:t2`), 0, 'no deduplication key')
    t.same(await trackKeys(redis, p, 't1'), [], 'nothing of t1')
    t.same(await trackKeys(redis, p, 't2'), [], 'nothing of t2')
    t.match(await queue.publishLatest('analysis', [job('t1', 'a')], { maxPending: 10 }), outcome({ added: 1 }),
      'the same id once completed is a new job')
  })
})
