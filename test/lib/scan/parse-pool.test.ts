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
