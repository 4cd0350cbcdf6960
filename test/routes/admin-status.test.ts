// GET /api/admin/status: one JSON with what an admin reads to see how the server is doing.
import t from 'tap'
import { join } from 'node:path'
import { mkdir, writeFile } from 'node:fs/promises'
import { writeAudioFixture, writeVideoOnlyFixture } from '../fixtures/audio.js'
import { buildScanApp, scan } from '../fixtures/scan.js'
import { eachVariant, tempDir } from '../helper.js'
import { diskUsage, folderUsage } from '../../lib/ops/disk-usage.js'

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

t.test('admin status: an admin reads it, a user and nobody do not', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-status-media-')
    await writeAudioFixture(join(media, 'A', 'One'), 'mp3', { tags: { title: 'One', artist: 'A', album: 'One' } })
    await writeAudioFixture(join(media, 'A', 'One'), 'flac', { tags: { title: 'Two', artist: 'A', album: 'One' } })
    await writeAudioFixture(join(media, 'B', 'Two'), 'ogg', { tags: { title: 'Three', artist: 'B', album: 'Two' } })
    // Two entries for the scan's errors: a broken file and a video without audio.
    await writeFile(join(media, 'B', 'broken.mp3'), 'not audio at all')
    await writeVideoOnlyFixture(join(media, 'B'))
    const { app, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis, mediaPath: media, env: { ANALYSIS: 'on' } })

    const before = await app.inject('/api/admin/status')
    t.equal(before.statusCode, 200, 'an open service (nobody signed up) answers everyone, as its other routes do')
    t.equal(before.json().lastScan, null, 'no scan yet')

    const done = await scan(app)
    t.equal(done.status, 'completed')
    await app.inject('/api/cover/00000000-0000-4000-8000-000000000000')
    const admin = (await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { username: 'ana', password: 'ana password' } })).json().key as string
    await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
    const user = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bo', password: 'bo password' } })).json().key as string

    t.equal((await app.inject('/api/admin/status')).statusCode, 401, 'nobody: 401')
    t.equal((await app.inject({ url: '/api/admin/status', headers: bearer(user) })).statusCode, 403, 'a user: 403')
    const res = await app.inject({ url: '/api/admin/status', headers: bearer(admin) })
    t.equal(res.statusCode, 200, 'an admin: 200')
    const status = res.json()
    t.match(status, {
      status: 'ready',
      checks: { database: 'up', redis: v.redis ? 'up' : 'disabled' },
      down: [],
      versions: { service: '0.1.0', node: process.versions.node, database: /^\d+/ },
      database: { kind: v.backend, pool: { inUse: Number, idle: Number, waiting: 0 } },
      library: { tracks: 3, albums: 2, artists: 2 },
      tracksDueForAnalysis: 3,
      analysis: { enabled: true, maxPending: 100_000, pending: 3, consumers: 0, lastResultAt: null, consumerSeen: false },
      isScanning: false,
      lastScan: { id: done.id, status: 'completed', added: 3, failed: done.failed, skipped: done.skipped },
      transcodes: { running: 0, queued: 0, slots: Number },
      caches: { response: { entries: Number, bytes: Number }, wholeLists: { entries: 0, bytes: 0 }, transcodes: { entries: 0, bytes: 0 } }
    })
    const listed = (await app.inject({ url: `/api/scans/${done.id}`, headers: bearer(admin) })).json().errors as unknown[]
    t.ok(listed.length >= 2, 'the scan recorded its errors')
    t.equal(status.lastScan.errorCount, listed.length, 'the error count is the scan\'s errors')
    t.ok(status.uptimeSeconds >= 0 && Date.parse(status.startedAt) <= Date.now(), 'uptime')
    t.match(status.queues, { scan: { waiting: 0, active: 0, delayed: 0 }, index: { waiting: 0, active: 0 }, analysis: { waiting: 3 } }, 'queue depths: the new tracks wait for analysis')

    // The disk figures come from a walk of DATA_DIR reused for a while (up to 10 s, less when
    // the walk was quick): the one taken before the scan may still be the answer.
    let { disk } = status
    for (let tries = 0; tries < 60 && disk.total !== await diskUsage(env.DATA_DIR as string); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      disk = (await app.inject({ url: '/api/admin/status', headers: bearer(admin) })).json().disk
    }
    t.equal(disk.dataDir, env.DATA_DIR)
    t.equal(disk.total, await diskUsage(env.DATA_DIR as string), 'every byte under DATA_DIR, once the last walk is old enough')
    t.equal(disk.databaseInDataDir, v.backend === 'pglite')
    t.ok(disk.database > 0, 'the database has a size')
    if (v.backend === 'pglite') t.ok(disk.total >= disk.database + disk.covers + disk.transcodes + disk.wholeLists, 'the parts add up to no more than the whole')
  })
})

t.test('disk usage counts files, not links out of the folder', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'a'), Buffer.alloc(1000))
  const { mkdir, symlink } = await import('node:fs/promises')
  await mkdir(join(dir, 'sub'))
  await writeFile(join(dir, 'sub', 'b'), Buffer.alloc(234))
  await symlink('/etc', join(dir, 'outside'))
  t.equal(await diskUsage(dir), 1234)
  t.equal(await diskUsage(join(dir, 'missing')), 0, 'a folder not made yet holds nothing')
})

t.test('with Redis down, the scrape and the status still answer, and say so', async (t) => {
  // A port nothing listens on: Redis configured but down from the start.
  const { app } = await buildScanApp(t, { env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '1' } })
  const scrape = await app.inject('/metrics')
  t.equal(scrape.statusCode, 200, 'a figure that cannot be read does not fail the scrape')
  t.match(scrape.body, /sonantica_db_pool_connections\{state="idle"\}/)
  const status = await app.inject('/api/admin/status')
  t.equal(status.statusCode, 200)
  t.match(status.json(), { status: 'unavailable', checks: { redis: 'down', database: 'up' }, down: ['redis'], queues: null })
})

t.test('a scan that aborts (an empty media folder) is counted as aborted', async (t) => {
  const { app } = await buildScanApp(t)
  const done = await scan(app)
  t.equal(done.status, 'aborted')
  const metrics = (await app.inject('/metrics')).body
  t.match(metrics, /^sonantica_scans_total\{status="aborted"\} 1$/m)
  t.match(metrics, /^sonantica_scans_total\{status="completed"\} 0$/m)
  t.match((await app.inject('/api/admin/status')).json(), { lastScan: { status: 'aborted', errorCount: 0 }, library: { tracks: 0 } })
})

t.test('six status calls at once share one walk of DATA_DIR, with the numbers of a walk of each folder', async (t) => {
  const { app, env } = await buildScanApp(t)
  const dataDir = env.DATA_DIR as string
  await mkdir(join(dataDir, 'covers', 'ab'), { recursive: true })
  for (let i = 0; i < 3000; i++) await writeFile(join(dataDir, 'covers', 'ab', `${i}.jpg`), Buffer.alloc(10 + (i % 7)))
  const answers = await Promise.all(Array.from({ length: 6 }, async () => await app.inject('/api/admin/status')))
  const disks = answers.map((res) => res.json().disk)
  for (const disk of disks) t.same(disk, disks[0], 'every call has the same figures')
  const walked = await folderUsage(dataDir, ['covers', 'transcodes', 'whole-lists', 'pglite'])
  t.match(disks[0], {
    total: await diskUsage(dataDir),
    covers: await diskUsage(join(dataDir, 'covers')),
    transcodes: await diskUsage(join(dataDir, 'transcodes')),
    wholeLists: await diskUsage(join(dataDir, 'whole-lists')),
    database: await diskUsage(join(dataDir, 'pglite')),
    databaseInDataDir: true
  }, 'the numbers are those of walking each folder on its own')
  t.equal(disks[0].total, walked.total)
  t.ok(disks[0].covers >= 3000 * 10, 'the covers are counted')
})
