import t from 'tap'
import { createParsePool } from '../../../lib/scan/parse-pool.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

t.test('parse threads read tags, and closing them fails a batch in flight instead of hanging', async (t) => {
  const root = await tempDir(t)
  await writeAudioFixture(root, 'mp3', { name: 'a', tags: { title: 'Alpha', artist: 'Ann' } })
  await writeAudioFixture(root, 'flac', { name: 'b', tags: { title: 'Beta', artist: 'Bob' } })
  const files = [{ path: 'a.mp3', size: 0, mtimeMs: 0 }, { path: 'b.flac', size: 0, mtimeMs: 0 }]

  const pool = createParsePool(2)
  const outcomes = await pool.parse(root, files as never)
  t.equal(outcomes.length, 2)
  t.match(JSON.stringify(outcomes), /Alpha/)
  t.match(JSON.stringify(outcomes), /Beta/)

  const inFlight = t.rejects(pool.parse(root, files as never), { message: /parse threads closed/ }, 'the caller hears the pool is gone')
  await pool.close()
  await inFlight
})

t.test('a batch asked for one thread is parsed on one thread; the cover limit reaches the threads', async (t) => {
  const root = await tempDir(t)
  const files = []
  for (let i = 0; i < 6; i++) {
    await writeAudioFixture(root, 'flac', { name: `f${i}`, tags: { title: `F${i}` }, cover: true })
    files.push({ path: `f${i}.flac`, size: 0, mtimeMs: 0 })
  }
  const used: number[] = []
  const pool = createParsePool(3, { onDispatch: (thread) => used.push(thread) })
  t.teardown(() => pool.close())

  const all = await pool.parse(root, files, { coverArtSizeLimit: 0 })
  t.same(new Set(used).size, 3, 'by default a batch is spread over every thread')
  t.ok(all.every((o) => o.kind === 'track' && o.tags.hasCover))

  used.length = 0
  const one = await pool.parse(root, files, { coverArtSizeLimit: 1, threads: 1 })
  t.same(used, [0], 'the whole batch went to one thread')
  t.equal(one.length, 6)
  t.ok(one.every((o) => o.kind === 'track' && !o.tags.hasCover), 'a picture over the limit counts as no cover')
})
