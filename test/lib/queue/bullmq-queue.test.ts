// The BullMQ queue says it is durable and answers whether Redis can take a job now: at once
// after start-up (the first connection still on its way), and with DependencyDownError when
// nothing answers.
import t from 'tap'
import { createServer } from 'node:net'
import { Queue, Worker } from 'bullmq'
import { createBullQueue } from '../../../lib/queue/bullmq-queue.js'
import { buildWithEnv, REDIS_HOST, REDIS_PORT, redisPrefix, skipReason, testEnv } from '../../helper.js'

async function closedPort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

t.test('reachable as soon as it is created, and jobs go through', { skip: await skipReason({ redis: true }) }, async (t) => {
  const queue = createBullQueue({ host: REDIS_HOST, port: REDIS_PORT, prefix: await redisPrefix(t), lockMs: 5000 })
  t.after(() => queue.close())
  t.equal(queue.durable, true, 'jobs outlast the process')
  await t.resolves(queue.assertReachable(), 'a caller right after start-up is not refused')
  const id = await queue.add('analysis', { trackId: 't1' })
  t.same(await queue.waiting('analysis'), [{ trackId: 't1' }])
  t.ok(await queue.isPending('analysis', id))
})

t.test('nothing listening: DependencyDownError naming redis, within the ping timeout', async (t) => {
  const errors: unknown[] = []
  const queue = createBullQueue({ host: '127.0.0.1', port: await closedPort(), prefix: 'unused', lockMs: 5000, onError: (_where, err) => errors.push(err) })
  t.after(() => queue.close())
  const began = Date.now()
  await t.rejects(queue.assertReachable(), { name: 'DependencyDownError', dependency: 'redis' })
  t.ok(Date.now() - began < 3000, 'a request is not held long')
  // Twice: once while the first connection attempt runs, once while it waits to reconnect.
  await t.rejects(queue.assertReachable(), { name: 'DependencyDownError', dependency: 'redis' })
  t.ok(errors.length > 0, 'the connection errors reach onError')
})

t.test('completed jobs kept by an earlier version are removed at start-up; pending and failed ones stay', { skip: await skipReason({ postgres: true, redis: true }) }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres', redis: true })
  const prefix = env.REDIS_PREFIX as string
  // What an earlier version left: each queue kept its last 2,000 completed jobs.
  const connection = { host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: null }
  for (const name of ['scan', 'index', 'analysis']) {
    const old = new Queue(name, { connection, prefix, defaultJobOptions: { removeOnComplete: { count: 2000 }, removeOnFail: { count: 2000 } } })
    await old.addBulk([1, 2, 3].map((n) => ({ name, data: { n } })))
    const worker = new Worker(name, async () => {}, { connection, prefix })
    for (let i = 0; i < 200 && (await old.getJobCounts('completed')).completed < 3; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    await worker.close()
    t.equal((await old.getJobCounts('completed')).completed, 3, `${name}: three completed jobs kept`)
    if (name === 'analysis') await old.add(name, { n: 4 })
    await old.close()
  }

  const app = await buildWithEnv(t, { ...env, RUN_WORKER: 'false' })
  const queue = new Queue('analysis', { connection, prefix })
  t.after(() => queue.close())
  for (const name of ['scan', 'index', 'analysis']) {
    const q = new Queue(name, { connection, prefix })
    t.equal((await q.getJobCounts('completed')).completed, 0, `${name}: none left after start-up`)
    await q.close()
  }
  t.equal((await queue.getJobCounts('waiting')).waiting, 1, 'a waiting job stays')
  await app.close()
})
