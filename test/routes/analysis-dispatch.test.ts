// Analysis dispatch as an installation sees it: nothing published unless ANALYSIS=on, one
// pending job per track, the cap and the scan's count of what it skipped, and the backfill an
// admin runs once an analysis worker is there to take the jobs.
import t, { type Test } from 'tap'
import { join } from 'node:path'
import { Queue, Worker } from 'bullmq'
import { DependencyDownError } from '../../lib/dependency-errors.js'
import { Redis } from 'ioredis'
import { touch, writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, buildScanAppWithEnv, scan, tracksByPath, type ScanApp } from '../fixtures/scan.js'
import { eachVariant, REDIS_HOST, REDIS_PORT, testEnv, type Variant } from '../helper.js'

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

async function library (t: Test, v: Variant, env: Record<string, string>, tracks = 5): Promise<ScanApp> {
  const built = await buildScanApp(t, { backend: v.backend, redis: v.redis, env })
  for (let i = 1; i <= tracks; i++) {
    await writeAudioFixture(join(built.env.MEDIA_PATH as string, 'Artist', 'Album'), 'mp3', { name: `0${i}`, tags: { title: `Song ${i}`, artist: 'Artist', album: 'Album', track: String(i) } })
  }
  return built
}

async function redisKeys (prefix: string, pattern: string): Promise<string[]> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 1 })
  try {
    return (await client.keys(`${prefix}${pattern}`)).sort()
  } finally {
    client.disconnect()
  }
}

async function readiness (app: ScanApp['app']): Promise<Record<string, unknown>> {
  return (await app.inject('/health/ready')).json().analysis as Record<string, unknown>
}

// The health answer's analysis figures are shared for up to 2 s: wait for them to move.
async function readinessWhen (app: ScanApp['app'], ok: (a: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  let answer = await readiness(app)
  for (let i = 0; i < 60 && !ok(answer); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    answer = await readiness(app)
  }
  return answer
}

t.test('ANALYSIS=off (the default): a scan publishes nothing', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, queue, env } = await library(t, v, {})
    t.match(await scan(app), { status: 'completed', added: 5, analysisSkipped: 0 })
    t.same(await queue.waiting('analysis'), [], 'no analysis job')
    t.match(await readiness(app), { enabled: false, pending: 0 })
    // The queue's own bookkeeping (meta, events) is there once it is read; no job, no deduplication key.
    if (v.redis) t.same((await redisKeys(env.REDIS_PREFIX as string, ':analysis:*')).filter((k) => !/:analysis:(meta|events)$/.test(k)), [], 'no analysis job in Redis')
  })
})

t.test('ANALYSIS=on: one job per track; a retag before the analysis replaces it', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, queue, env } = await library(t, v, { ANALYSIS: 'on' }, 3)
    t.match(await scan(app), { status: 'completed', added: 3 })
    const first = await queue.waiting<{ trackId: string, path: string, root: string }>('analysis')
    t.equal(first.length, 3)
    t.match(await readiness(app), { enabled: true, pending: 3, consumers: 0, consumerSeen: false })

    // Retag one file twice, with rescans between: still one job for it, with its current state.
    const file = join(env.MEDIA_PATH as string, 'Artist', 'Album', '01.mp3')
    const id = (await tracksByPath(pg)).get('Artist/Album/01.mp3')?.id as string
    for (const [n, title] of [[1, 'Retagged'], [2, 'Retagged again']] as const) {
      await writeAudioFixture(join(env.MEDIA_PATH as string, 'Artist', 'Album'), 'mp3', { name: '01', tags: { title, artist: 'Artist', album: 'Album', track: '1' } })
      await touch(file, new Date(Date.now() + n * 5000))
      t.match(await scan(app), { status: 'completed', updated: 1 })
      const jobs = await queue.waiting<{ trackId: string }>('analysis')
      t.equal(jobs.length, 3, `after retag ${n}: still three jobs`)
      t.equal(jobs.filter((j) => j.trackId === id).length, 1, `after retag ${n}: one job for the retagged track`)
    }
    t.match(await scan(app), { status: 'completed', updated: 0 }, 'an unchanged rescan')
    t.equal((await queue.waiting('analysis')).length, 3, 'publishes nothing')
    if (v.redis) {
      t.equal((await redisKeys(env.REDIS_PREFIX as string, ':analysis:de:*')).length, 3, 'one deduplication key per pending track')
    }
  })
})

t.test('ANALYSIS_MAX_PENDING: beyond it tracks are not published, and the scan counts them', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, queue } = await library(t, v, { ANALYSIS: 'on', ANALYSIS_MAX_PENDING: '2', SCAN_BATCH_SIZE: '1' })
    const done = await scan(app)
    t.match(done, { status: 'completed', added: 5, analysisSkipped: 3 })
    t.equal((await queue.waiting('analysis')).length, 2, 'the cap holds, with five batches indexed three at a time')
    t.match(await readiness(app), { maxPending: 2, pending: 2 })
    t.match((await app.inject('/api/scan/status')).json(), { scan: { id: done.id, analysisSkipped: 3 } }, 'the scan status shows it too')
  })
})

t.test('backfill: refused while off or with nobody to take the jobs; then publishes exactly the tracks without analysis', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const off = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    const refused = await off.app.inject({ method: 'POST', url: '/api/analysis/backfill' })
    t.equal(refused.statusCode, 409)
    t.match(refused.json(), { code: 'ANALYSIS_OFF' })

    const { app, pg } = await library(t, v, { ANALYSIS: 'on', ANALYSIS_MAX_PENDING: '0' })
    t.match(await scan(app), { status: 'completed', added: 5, analysisSkipped: 5 }, 'a full queue (cap 0): nothing published')

    const admin = (await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { username: 'ana', password: 'ana password' } })).json().key as string
    await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
    const user = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bo', password: 'bo password' } })).json().key as string
    const worker = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin), payload: { name: 'dsp', role: 'worker' } })).json().key as string
    t.equal((await app.inject({ method: 'POST', url: '/api/analysis/backfill' })).statusCode, 401, 'nobody: 401')
    t.equal((await app.inject({ method: 'POST', url: '/api/analysis/backfill', headers: bearer(user) })).statusCode, 403, 'a user: 403')
    t.equal((await app.inject({ method: 'POST', url: '/api/analysis/backfill', headers: bearer(worker) })).statusCode, 403, 'a worker key: 403')

    const noConsumer = await app.inject({ method: 'POST', url: '/api/analysis/backfill', headers: bearer(admin) })
    t.equal(noConsumer.statusCode, 409)
    t.match(noConsumer.json(), { code: 'NO_ANALYSIS_CONSUMER' })

    // A worker stores results for two tracks: a consumer has been seen.
    const byPath = await tracksByPath(pg)
    const analysed = ['Artist/Album/01.mp3', 'Artist/Album/04.mp3'].map((p) => byPath.get(p)?.id as string)
    for (const id of analysed) {
      const put = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, headers: bearer(worker), payload: { bpm: 120 } })
      t.equal(put.statusCode, 200)
    }
    t.match(await readinessWhen(app, (a) => a.consumerSeen === true), { consumerSeen: true, lastResultAt: String })

    // Still capped at 0: every track due is counted as skipped (the two with results too: the
    // results may be for older states of their files than the ones the scan left out).
    const capped = await app.inject({ method: 'POST', url: '/api/analysis/backfill', headers: bearer(admin), payload: {} })
    t.equal(capped.statusCode, 200)
    t.same(capped.json(), { published: 0, alreadyPending: 0, skipped: 5, dueForAnalysis: 5 })
  })
})

t.test('backfill with a live consumer: it receives exactly the tracks without analysis, once', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    // Indexed while analysis was off; then the installation turns it on.
    const { env } = await testEnv(t, { backend: v.backend, redis: v.redis })
    for (let i = 1; i <= 5; i++) {
      await writeAudioFixture(join(env.MEDIA_PATH as string, 'Artist', 'Album'), 'mp3', { name: `0${i}`, tags: { title: `Song ${i}`, artist: 'Artist', album: 'Album', track: String(i) } })
    }
    const before = await buildScanAppWithEnv(t, env)
    t.match(await scan(before.app), { status: 'completed', added: 5, analysisSkipped: 0 })
    const byPath = await tracksByPath(before.pg)
    const analysed = new Set(['Artist/Album/02.mp3', 'Artist/Album/05.mp3'].map((p) => byPath.get(p)?.id as string))
    for (const id of analysed) await before.pg.query('UPDATE tracks SET analysis = $2, analysis_updated_at = now() - interval \'1 day\' WHERE id = $1', [id, JSON.stringify({ bpm: 90 })])
    const expected = [...byPath.values()].map((r) => r.id as string).filter((id) => !analysed.has(id)).sort()
    await before.app.close()

    const { app, queue } = await buildScanAppWithEnv(t, { ...env, ANALYSIS: 'on' })
    t.match(await readiness(app), { enabled: true, pending: 0, consumers: 0, consumerSeen: false }, 'the stored results are a day old')

    // The consumer holds each job until told, so what it was given can be counted.
    const received: string[] = []
    let release!: () => void
    const released = new Promise<void>((resolve) => { release = resolve })
    const handle = async (data: { trackId: string }): Promise<void> => {
      received.push(data.trackId)
      await released
    }
    if (v.redis) {
      const consumer = new Worker('analysis', async (job) => { await handle(job.data as { trackId: string }) }, {
        connection: { host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: null },
        prefix: env.REDIS_PREFIX as string,
        concurrency: 10
      })
      t.after(async () => { release(); await consumer.close() })
      await consumer.waitUntilReady()
      await readinessWhen(app, (a) => a.consumers !== 0)
    } else {
      // In-process, a consumer can only be a handler in this very process.
      queue.process<{ trackId: string }>('analysis', async (data) => { await handle(data) }, { concurrency: 10 })
      t.after(() => { release() })
    }
    t.match(await readinessWhen(app, (a) => a.consumers !== 0), { consumers: 1, consumerSeen: true }, 'a consumer is connected')

    const res = await app.inject({ method: 'POST', url: '/api/analysis/backfill' })
    t.equal(res.statusCode, 200)
    t.same(res.json(), { published: 3, alreadyPending: 0, skipped: 0, dueForAnalysis: 3 })
    for (let i = 0; i < 200 && received.length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 25))
    t.same([...received].sort(), expected, 'the consumer got exactly the tracks without analysis')

    const again = await app.inject({ method: 'POST', url: '/api/analysis/backfill' })
    t.same(again.json(), { published: 0, alreadyPending: 3, skipped: 0, dueForAnalysis: 3 }, 'a second backfill while they run publishes nothing')
    release()
    await readinessWhen(app, (a) => a.pending === 0)
    t.equal(received.length, 3, 'each track was given once')
  })
})

t.test('a publish that fails leaves the changed track due: the retried batch (Redis) or a backfill publishes it, analysis or not', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, queue, env } = await library(t, v, { ANALYSIS: 'on' }, 2)
    t.match(await scan(app), { status: 'completed', added: 2 })
    const id = (await tracksByPath(pg)).get('Artist/Album/01.mp3')?.id as string
    await pg.query('UPDATE tracks SET analysis = $2, analysis_updated_at = now() WHERE id = $1', [id, JSON.stringify({ bpm: 80 })])

    // Redis refuses the next publish, after the batch is committed.
    const publishLatest = app.queue.publishLatest
    let failures = 0
    app.queue.publishLatest = async (...args) => {
      if (failures++ === 0) throw new DependencyDownError('redis', 'redis failed: connection lost')
      return await publishLatest(...args)
    }
    t.after(() => { app.queue.publishLatest = publishLatest })
    const file = join(env.MEDIA_PATH as string, 'Artist', 'Album', '01.mp3')
    await writeAudioFixture(join(env.MEDIA_PATH as string, 'Artist', 'Album'), 'mp3', { name: '01', tags: { title: 'Retagged', artist: 'Artist', album: 'Album', track: '1' } })
    await touch(file, new Date(Date.now() + 5000))
    await scan(app)
    const due = async (): Promise<boolean> => (await pg.query('SELECT analysis_due FROM tracks WHERE id = $1', [id])).rows[0].analysis_due as boolean

    if (v.redis) {
      // BullMQ retries the batch: it finds the file committed, and the track still due.
      t.equal(await due(), false, 'the retried batch published it')
    } else {
      // In-process a batch runs once: the track waits, due, for a backfill.
      t.equal(await due(), true, 'still due after the failed publish')
      const held = await app.inject({ method: 'POST', url: '/api/analysis/backfill' })
      t.match(held.json(), { published: 0, alreadyPending: 2, dueForAnalysis: 2 }, 'a backfill leaves the older state\'s pending job in place')
      t.equal(await due(), true, 'and the track due')
      queue.process('analysis', async () => {})
      await readinessWhen(app, (a) => a.pending === 0)
      const res = await app.inject({ method: 'POST', url: '/api/analysis/backfill' })
      t.match(res.json(), { published: 2, dueForAnalysis: 2 }, 'once it ran, a backfill publishes the new state, though the track has an (older) analysis')
      t.equal(await due(), false)
    }
    if (v.redis) {
      const jobs = await queue.waiting<{ trackId: string, path: string }>('analysis')
      t.equal(jobs.filter((j) => j.trackId === id).length, 1, 'one job for it, not two')
    }
  })
})

t.test('a changed track with an analysis that the full queue left out stays due until a backfill publishes it', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, queue, env } = await library(t, v, { ANALYSIS: 'on', ANALYSIS_MAX_PENDING: '2' }, 3)
    t.match(await scan(app), { status: 'completed', added: 3, analysisSkipped: 1 })
    const rows = [...(await tracksByPath(pg)).values()]
    const left = rows.find((r) => r.analysis_due === true)
    t.ok(left, 'the track left out is due')
    // A result arrives for it (from an older job, say): it may be for an older state, so the track stays due.
    await app.inject({ method: 'PUT', url: `/api/library/tracks/${left?.id as string}/analysis`, payload: { bpm: 90 } })
    t.equal((await pg.query('SELECT analysis_due FROM tracks WHERE id = $1', [left?.id])).rows[0].analysis_due, true, 'a stored result leaves it due')
    const file = join(env.MEDIA_PATH as string, left?.file_path as string)
    await touch(file, new Date(Date.now() + 5000))
    t.match(await scan(app), { status: 'completed', updated: 1, analysisSkipped: 1 })
    t.equal((await pg.query('SELECT analysis_due FROM tracks WHERE id = $1', [left?.id])).rows[0].analysis_due, true, 'still due: changed since its analysis')

    // The queue drains (a consumer took the two jobs); a backfill publishes it.
    for (const job of await queue.waiting<{ trackId: string }>('analysis')) {
      await app.inject({ method: 'PUT', url: `/api/library/tracks/${job.trackId}/analysis`, payload: { bpm: 1 } })
    }
    if (v.redis) {
      const taken = new Queue('analysis', { connection: { host: REDIS_HOST, port: REDIS_PORT }, prefix: env.REDIS_PREFIX as string })
      await taken.obliterate({ force: true })
      await taken.close()
    } else {
      queue.process('analysis', async () => {})
    }
    await readinessWhen(app, (a) => a.pending === 0)
    const res = await app.inject({ method: 'POST', url: '/api/analysis/backfill' })
    t.same(res.json(), { published: 1, alreadyPending: 0, skipped: 0, dueForAnalysis: 1 })
  })
})
