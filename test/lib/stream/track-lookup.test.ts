import t from 'tap'
import { StreamPathCache } from '../../../lib/stream/track-lookup.js'

t.test('lookups are shared while fresh and failures are not remembered', async (t) => {
  let loads = 0
  const cache = new StreamPathCache(60_000, 100)
  const load = async (key: string): Promise<string | null> => { loads++; return `${key}.mp3` }
  const [a, b] = await Promise.all([cache.get('x', load), cache.get('x', load)])
  t.equal(a, 'x.mp3')
  t.equal(b, 'x.mp3')
  t.equal(loads, 1, 'concurrent lookups share one query')

  let fail = true
  const flaky = async (): Promise<string | null> => { if (fail) throw new Error('Connection terminated'); return 'ok.mp3' }
  await t.rejects(cache.get('y', flaky))
  fail = false
  t.equal(await cache.get('y', flaky), 'ok.mp3', 'a failed lookup is retried, not cached')

  const expired = new StreamPathCache(0, 100)
  await expired.get('z', load)
  await expired.get('z', load)
  t.equal(loads, 3, 'an expired entry is looked up again')
})
