import t from 'tap'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'

t.test('jobs run in process, in order', async (t) => {
  const queue = createMemoryQueue()
  t.after(() => queue.close())

  const seen: number[] = []
  queue.process<{ n: number }>('index', async (data) => { seen.push(data.n) })
  const ids = await queue.addBulk('index', [{ n: 1 }, { n: 2 }, { n: 3 }])
  t.same(await queue.waitUntilDone('index', ids), { failed: 0 })
  t.same(seen, [1, 2, 3])
})

t.test('an in-process queue is not durable and always reachable', async (t) => {
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  t.equal(queue.durable, false, 'its jobs die with the process')
  await t.resolves(queue.assertReachable())
})
