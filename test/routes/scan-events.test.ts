import t from 'tap'
import { join } from 'node:path'
import { get, type ClientRequest } from 'node:http'
import { Redis } from 'ioredis'
import { eachVariant } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, buildScanAppWithEnv, waitForScan } from '../fixtures/scan.js'
import { readStream } from '../fixtures/sse.js'

t.test('scan events over a real socket', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    for (let i = 1; i <= 3; i++) {
      await writeAudioFixture(join(env.MEDIA_PATH as string, 'Artist', 'Album'), 'mp3', { name: `0${i}`, tags: { title: `Song ${i}`, artist: 'Artist', album: 'Album', track: String(i) } })
    }
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    let scanId = ''
    const { messages: events, headers } = await readStream(`${address}/api/scan/events`, (ev) => ev.some((e) => e.type === 'scan:complete' || e.type === 'scan:error'), async () => {
      const res = await fetch(`${address}/api/scan/start`, { method: 'POST' })
      scanId = ((await res.json()) as { id: string }).id
    })
    t.match(headers['content-type'], /^text\/event-stream/)
    t.equal(headers['cache-control'], 'no-cache')
    t.equal(headers['x-accel-buffering'], 'no')
    const types = events.map((e) => e.type)
    t.equal(types[0], 'scan:start')
    t.equal(types.at(-1), 'scan:complete')
    t.ok(types.includes('scan:progress'))
    const indexed = events.filter((e) => e.type === 'track:indexed')
    t.equal(indexed.length, 3, 'one track:indexed per new track')
    t.match(indexed.map((e) => e.track).sort((a, b) => String((a as { title: string }).title).localeCompare((b as { title: string }).title)), [
      { title: 'Song 1', artist: 'Artist', album: 'Album', trackNumber: 1, filePath: 'Artist/Album/01.mp3', format: { codec: 'MPEG 1 Layer 3' } },
      { title: 'Song 2' },
      { title: 'Song 3' }
    ])
    t.match(events.at(-1), { type: 'scan:complete', scan: { id: scanId, status: 'completed', added: 3 }, stats: { tracks: 3, artists: 1, albums: 1 } })
    await waitForScan(app, scanId)
  })
})

t.test('events from a scan run by another process reach every API process (Redis)', async (t) => {
  await eachVariant(t, { redis: 'only' }, async (t, v) => {
    if (v.backend !== 'postgres') { t.pass('two processes need a shared PostgreSQL'); return }
    const { app: runner, env } = await buildScanApp(t, { backend: v.backend, redis: true })
    await writeAudioFixture(env.MEDIA_PATH as string, 'flac', { tags: { title: 'Shared' } })
    // A second API process on the same database and Redis that runs no jobs itself.
    const { app: listener } = await buildScanAppWithEnv(t, { ...env, RUN_WORKER: 'false' })
    const address = await listener.listen({ port: 0, host: '127.0.0.1' })
    const { messages: events } = await readStream(`${address}/api/scan/events`, (ev) => ev.some((e) => e.type === 'scan:complete'), async () => {
      t.equal((await runner.inject({ method: 'POST', url: '/api/scan/start' })).statusCode, 202)
    })
    t.match(events.filter((e) => e.type === 'track:indexed'), [{ track: { title: 'Shared' } }])
  })
})

t.test('an SSE client that disconnects is unsubscribed', async (t) => {
  await eachVariant(t, { redis: 'only' }, async (t, v) => {
    if (v.backend !== 'postgres') { t.pass('one Redis variant is enough'); return }
    const { app, env } = await buildScanApp(t, { backend: v.backend, redis: true })
    const redis = new Redis({ host: env.REDIS_HOST, port: Number(env.REDIS_PORT) })
    t.after(() => redis.disconnect())
    const channel = `${env.REDIS_PREFIX as string}:scan-events`
    const subscribers = async (): Promise<number> => Number(((await redis.call('PUBSUB', 'NUMSUB', channel)) as [string, number])[1])

    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    let req: ClientRequest | undefined
    const first = await new Promise<string>((resolve) => {
      req = get(`${address}/api/scan/events`, (res) => res.once('data', (chunk: Buffer) => resolve(chunk.toString())))
    })
    t.match(first, /^: connected/)
    t.equal(await subscribers(), 1, 'subscribed while the client listens')
    req?.destroy()
    let left = 1
    for (let i = 0; i < 200 && left > 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25))
      left = await subscribers()
    }
    t.equal(left, 0, 'unsubscribed once the client is gone')
  })
})
