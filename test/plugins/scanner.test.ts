// The scanner plugin's wiring: who runs jobs, what a restart does to scans the in-process queue
// lost, and what routes can reach.
import t from 'tap'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { buildWithEnv, testEnv } from '../helper.js'

t.test('without Redis the API process runs the jobs even when RUN_WORKER is false', async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { RUN_WORKER: 'false' } })
  await writeAudioFixture(mediaPath, 'mp3', { tags: { title: 'Solo' } })
  const app = await buildWithEnv(t, env)
  t.match(await scan(app), { status: 'completed', added: 1 }, 'nobody else could have run them')
})

t.test('a scan the last process left active is failed at start-up, and does not block the next', async (t) => {
  const { env, mediaPath } = await testEnv(t)
  await writeAudioFixture(mediaPath, 'mp3', { tags: { title: 'Solo' } })
  const before = await buildWithEnv(t, env)
  const { rows: [left] } = await before.pg.query("INSERT INTO scans (status) VALUES ('running') RETURNING id")
  await before.close()

  const after = await buildWithEnv(t, env)
  t.match((await after.inject(`/api/scans/${left.id as string}`)).json(), { status: 'failed', error: /\S/ })
  t.equal((await after.inject('/api/scan/status')).json().isScanning, false)
  t.match(await scan(after), { status: 'completed', added: 1 })
})

t.test('routes reach the five scanner calls and not its lifecycle', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  t.same(Object.keys(app.scanner).sort(), ['get', 'isWatching', 'start', 'status', 'watch'])
})
