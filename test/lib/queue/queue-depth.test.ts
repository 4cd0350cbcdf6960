// Depth and failures, read the same way from both backends (for /metrics and the admin status).
import t, { type Test } from 'tap'
import { createBullQueue } from '../../../lib/queue/bullmq-queue.js'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import type { JobQueue } from '../../../lib/queue/job-queue.js'
import { REDIS_HOST, REDIS_PORT, redisPrefix, skipReason } from '../../helper.js'

async function until (check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 20))
}

async function exercise (t: Test, queue: JobQueue, retries: number): Promise<void> {
  t.same(await queue.depth('index'), { waiting: 0, active: 0, delayed: 0, failed: 0 }, 'empty at first')
  await queue.addBulk('analysis', [{ n: 1 }, { n: 2 }, { n: 3 }])
  t.match(await queue.depth('analysis'), { waiting: 3, active: 0 }, 'jobs nobody takes wait')

  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  queue.process<{ fail: boolean }>('index', async (data) => {
    if (data.fail) throw new Error('this job fails')
    await held
  })
  const ok = await queue.add('index', { fail: false })
  await until(async () => (await queue.depth('index')).active === 1)
  t.match(await queue.depth('index'), { active: 1 }, 'a running job is active')
  release()
  await queue.waitUntilDone('index', [ok])
  const bad = await queue.add('index', { fail: true })
  const { failed } = await queue.waitUntilDone('index', [bad])
  t.equal(failed, 1)
  t.equal(queue.failures('index'), retries, `every failed run is counted (${retries})`)
  t.equal(queue.failures('scan'), 0, 'per queue')
  t.match(await queue.depth('index'), { waiting: 0, active: 0, failed: 1 }, 'the failed job is kept as failed')
}

// Asked before the first test runs: tap ends the file once its tests are done.
const redisSkip = await skipReason({ redis: true })

t.test('in-process queue', async (t) => {
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  await exercise(t, queue, 1)
})

t.test('BullMQ queue', { skip: redisSkip }, async (t) => {
  const queue = createBullQueue({ host: REDIS_HOST, port: REDIS_PORT, prefix: await redisPrefix(t), lockMs: 5000 })
  t.after(() => queue.close())
  await exercise(t, queue, 3)
})
