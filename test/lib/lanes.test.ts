import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { mapInLanes } from '../../lib/lanes.js'

t.test('results keep the list\'s order whatever order the work finishes in', async (t) => {
  const delays = [30, 5, 20, 0, 10]
  const out = await mapInLanes(delays, 3, async (ms, i) => { await sleep(ms); return `${i}:${ms}` })
  t.same(out, ['0:30', '1:5', '2:20', '3:0', '4:10'])
})

t.test('never more than `lanes` items in flight, and a freed lane takes the next item at once', async (t) => {
  let inFlight = 0
  let most = 0
  const started: number[] = []
  await mapInLanes([40, 5, 5, 5, 5], 2, async (ms, i) => {
    started.push(i)
    most = Math.max(most, ++inFlight)
    await sleep(ms)
    inFlight--
  })
  t.equal(most, 2)
  t.same(started, [0, 1, 2, 3, 4], 'items start in list order')
})

t.test('more lanes than items, and no items at all', async (t) => {
  t.same(await mapInLanes([1, 2], 8, async (n) => n * 2), [2, 4])
  let called = false
  t.same(await mapInLanes([], 4, async () => { called = true }), [])
  t.notOk(called)
})

t.test('the first failure rejects, and the other lanes still finish the list', async (t) => {
  const done: number[] = []
  await t.rejects(mapInLanes([0, 1, 2, 3], 2, async (n) => {
    await sleep(n === 0 ? 1 : 10)
    if (n === 0) throw new Error('unreadable')
    done.push(n)
  }), { message: 'unreadable' })
  await sleep(60)
  t.same(done.sort(), [1, 2, 3], 'no item is left half-run behind the rejection')
})
