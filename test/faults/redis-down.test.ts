// Redis (a private server) goes away: starting a scan must say 503 in the one error shape while
// the library and streaming, which need only the database and the disk, keep answering.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { startPrivateRedis } from '../fixtures/private-services.js'
import { buildScanApp, scan, waitForScan } from '../fixtures/scan.js'
import { tempDir } from '../helper.js'

t.test('Redis down: scans answer 503, library and streams keep working; Redis back: scans work again', async (t) => {
  const redis = await startPrivateRedis(t)
  const mediaPath = await tempDir(t, 'sonantica-media-')
  for (let i = 1; i <= 4; i++) {
    await writeAudioFixture(join(mediaPath, 'Band', 'Record'), 'mp3', {
      tags: { title: `Tune ${i}`, artist: 'Band', album: 'Record', track: String(i) }
    })
  }
  const { app } = await buildScanApp(t, {
    mediaPath,
    env: { REDIS_HOST: redis.host, REDIS_PORT: String(redis.port), JOB_LOCK_MS: '5000' }
  })
  const first = await scan(app)
  t.equal(first.status, 'completed', 'a scan through BullMQ completes')
  t.equal(first.added, 4)
  const track = (await app.inject('/api/library/tracks?limit=1')).json().tracks[0]
  const bytes = await readFile(join(mediaPath, track.filePath as string))

  await redis.stop()

  const refused = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(refused.statusCode, 503, 'POST /api/scan/start answers 503')
  t.match(refused.headers['content-type'], /application\/json/)
  const body = refused.json()
  t.equal(body.statusCode, 503)
  t.type(body.error, 'string')
  t.type(body.message, 'string')
  t.notOk('stack' in body, 'no stack trace')
  const again = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(again.statusCode, 503, 'a refused scan leaves nothing behind that blocks or fakes a later one')

  const status = await app.inject('/api/scan/status')
  t.equal(status.statusCode, 200, 'scan status reads the database only')
  t.equal(status.json().isScanning, false, 'no phantom scan was left queued')
  t.equal(status.json().scan.id, first.id)

  const list = await app.inject('/api/library/tracks')
  t.equal(list.statusCode, 200, 'library list works')
  t.equal(list.json().total, 4)
  t.equal((await app.inject(`/api/library/tracks/${track.id}`)).statusCode, 200, 'track by id works')
  t.equal((await app.inject('/api/library/search?q=tune')).statusCode, 200, 'search works')
  const stream = await app.inject(`/api/stream/${track.id}`)
  t.equal(stream.statusCode, 200, 'full stream works')
  t.ok(stream.rawPayload.equals(bytes), 'with the file\'s bytes')
  const ranged = await app.inject({ url: `/api/stream/${track.id}`, headers: { range: 'bytes=100-199' } })
  t.equal(ranged.statusCode, 206, 'ranged stream works')
  t.ok(ranged.rawPayload.equals(bytes.subarray(100, 200)))
  t.equal((await app.inject('/health/ready')).statusCode, 503, 'readiness reports Redis down')

  await redis.start()
  // The clients reconnect on their own schedule (at most a couple of seconds between tries).
  let started: { statusCode: number, json: () => { id: string } } | null = null
  for (let i = 0; i < 100; i++) {
    const res = await app.inject({ method: 'POST', url: '/api/scan/start' })
    if (res.statusCode === 202) { started = res; break }
    t.equal(res.statusCode, 503, 'only 503 while reconnecting')
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.ok(started, 'Redis back: a scan is accepted without a restart')
  if (started === null) return
  const done = await waitForScan(app, started.json().id)
  t.equal(done.status, 'completed', 'and runs to the end')
  t.equal(done.filesSeen, 4)
  t.equal((await app.inject('/api/library/tracks')).json().total, 4, 'no track lost or duplicated')
})
