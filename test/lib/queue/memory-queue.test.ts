import t from 'tap'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'

t.test('jobs run in process, in order, and a queue nobody here consumes stays bounded', async (t) => {
  const queue = createMemoryQueue({ unconsumedLimit: 3 })
  t.after(() => queue.close())

  const seen: number[] = []
  queue.process<{ n: number }>('index', async (data) => { seen.push(data.n) })
  const ids = await queue.addBulk('index', [{ n: 1 }, { n: 2 }, { n: 3 }])
  t.same(await queue.waitUntilDone('index', ids), { failed: 0 })
  t.same(seen, [1, 2, 3])

  // Without Redis nothing outside this process can take analysis jobs: only the newest few wait.
  await queue.addBulk('analysis', Array.from({ length: 10 }, (_v, i) => ({ trackId: `t${i}` })))
  const waiting = await queue.waiting<{ trackId: string }>('analysis')
  t.same(waiting.map((j) => j.trackId), ['t7', 't8', 't9'])
})

t.test('an in-process queue is not durable and always reachable', async (t) => {
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  t.equal(queue.durable, false, 'its jobs die with the process')
  await t.resolves(queue.assertReachable())
})
