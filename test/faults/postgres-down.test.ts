// PostgreSQL (a private server) stops in the middle of a scan. While it is down the service says
// so (503 readiness, 503 JSON from the library), a stream already resolved keeps flowing, and the
// scan ends marked failed with the reason once the database is back; then everything works
// again without a restart and a rescan indexes every file exactly once.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { writeManyFiles, waitFor } from '../fixtures/many-files.js'
import { privatePostgresAvailable, startPrivatePostgres } from '../fixtures/private-services.js'
import { buildScanAppWithEnv, scan, waitForScan } from '../fixtures/scan.js'
import { slowReader } from '../fixtures/slow-reader.js'
import { testEnv } from '../helper.js'

const FILES = 3000

t.test('PostgreSQL stopped mid-scan: 503s, streams go on, scan fails with a reason, all recovers', {
  skip: (await privatePostgresAvailable()) ? false : 'PostgreSQL server binaries are not installed'
}, async (t) => {
  const pg = await startPrivatePostgres(t)
  const { env, mediaPath } = await testEnv(t, { env: { POSTGRES_URL: pg.url, SCAN_BATCH_SIZE: '50' } })
  const longPath = await writeAudioFixture(join(mediaPath, 'Long'), 'wav', { seconds: 120, name: 'long', tags: { title: 'Long' } })
  const long = await readFile(longPath)
  const { app, pg: db } = await buildScanAppWithEnv(t, env)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })

  t.equal((await scan(app)).status, 'completed', 'the first scan indexes the long file')
  const longId = (await app.inject('/api/library/tracks')).json().tracks[0].id as string

  await writeManyFiles(mediaPath, FILES)
  // About 1.3 MB/s: still in flight after the database has gone and come back.
  const reader = slowReader(`${address}/api/stream/${longId}`, long, 64 * 1024)
  await reader.firstBytes
  t.equal(reader.status, 200, 'a stream is in flight')

  const started = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(started.statusCode, 202)
  const scanId = started.json().id as string
  const midway = await waitFor(async () => {
    const s = (await app.inject('/api/scan/status')).json()
    return s.progress.phase === 'indexing' && s.progress.processed > 0 && s.progress.processed < FILES / 2 ? s.progress : null
  }, 120_000, 10)
  t.ok(midway, 'the scan is in the middle of indexing')
  t.ok(reader.received < long.length, 'the stream is still in flight')

  await pg.stop('fast')
  const ready = await waitFor(async () => {
    const res = await app.inject('/health/ready')
    return res.statusCode === 503 ? res.json() : null
  }, 15_000, 100)
  t.match(ready, { status: 'unavailable', down: ['database'] }, '/health/ready says 503, naming the database')

  for (const url of ['/api/library/tracks', `/api/library/tracks/${longId}`, '/api/library/albums', '/api/library/search?q=copy', '/api/library/stats', '/api/scan/status']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 503, `${url} answers 503`)
    t.match(res.headers['content-type'], /application\/json/)
    const body = res.json()
    t.equal(body.statusCode, 503)
    t.type(body.message, 'string')
    t.notOk('stack' in body, 'in the one error shape, no stack')
  }
  const refused = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(refused.statusCode, 503, 'a scan cannot be started')
  // A track resolved moments ago may still be in the stream lookup cache; otherwise resolving
  // it needs the database. Either the right bytes or a 503, never a 500 or wrong bytes.
  const newStream = await app.inject({ url: `/api/stream/${longId}`, headers: { range: 'bytes=1000-1999' } })
  if (newStream.statusCode === 206) t.ok(newStream.rawPayload.equals(long.subarray(1000, 2000)), 'a recently resolved track still streams the right bytes')
  else {
    t.equal(newStream.statusCode, 503, 'a stream that needs the database to resolve answers 503')
    t.equal(newStream.json().statusCode, 503)
  }
  const unknown = await app.inject('/api/stream/6f1c1d2e-0000-4000-8000-000000000000')
  t.equal(unknown.statusCode, 503, 'an id never resolved cannot be looked up: 503, not 404')
  t.equal(reader.matches, true, 'the stream in flight keeps sending the right bytes')

  // An outage of a few seconds, so index batches and the scan itself run into it.
  await new Promise((resolve) => setTimeout(resolve, 4000))
  await pg.start()
  const back = await waitFor(async () => (await app.inject('/health/ready')).statusCode === 200, 20_000, 200)
  t.ok(back, 'database back: ready again without a restart')

  const interrupted = await waitForScan(app, scanId, 1200)
  t.equal(interrupted.status, 'failed', 'the interrupted scan is marked failed')
  t.match(interrupted.error, /\S/, `with the reason (${interrupted.error})`)

  const outcome = await reader.done
  t.ok(reader.matches, 'the stream\'s bytes are an exact prefix of the file')
  t.ok(outcome.complete && reader.received === long.length, 'and it completed')

  t.equal((await app.inject('/api/library/tracks?limit=1')).statusCode, 200, 'the library answers again')
  const rescan = await scan(app)
  t.equal(rescan.status, 'completed', 'a rescan completes')
  t.equal(rescan.error, null)
  t.equal(rescan.filesSeen, FILES + 1)
  const { rows } = await db.query('SELECT count(*)::int AS n, count(DISTINCT file_path)::int AS d FROM tracks')
  t.equal(rows[0].n, FILES + 1, 'every file indexed')
  t.equal(rows[0].d, FILES + 1, 'exactly once')
  t.equal((await app.inject('/api/library/tracks?limit=1')).json().total, FILES + 1)
  const again = await app.inject({ url: `/api/stream/${longId}`, headers: { range: 'bytes=0-99' } })
  t.equal(again.statusCode, 206, 'new streams work again')
  t.ok(again.rawPayload.equals(long.subarray(0, 100)))
})
