// What scans leave in Redis: nothing that grows with the number of scans or of tracks. Finished
// scan and index jobs are removed, and analysis jobs exist only while they wait.
import t from 'tap'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { touch, writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, scan } from '../fixtures/scan.js'
import { REDIS_HOST, REDIS_PORT, skipReason } from '../helper.js'

const skip = await skipReason({ postgres: true, redis: true })

async function keysOf (prefix: string): Promise<string[]> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 1 })
  try {
    const keys: string[] = []
    let cursor = '0'
    do {
      const [next, found] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000)
      cursor = next
      keys.push(...found)
    } while (cursor !== '0')
    // A key holds the prefix once; what follows names it. BullMQ's stalled-job check key lives a
    // few seconds and is set again by each worker's next check: whether it is there is timing.
    return keys.map((k) => k.slice(prefix.length + 1)).filter((k) => !k.endsWith(':stalled-check')).sort()
  } finally {
    client.disconnect()
  }
}

for (const analysis of ['off', 'on']) {
  t.test(`ten rescans of an unchanged library leave Redis as the first scan did (ANALYSIS=${analysis})`, { skip }, async (t) => {
    const { app, env } = await buildScanApp(t, { backend: 'postgres', redis: true, env: { ANALYSIS: analysis, SCAN_BATCH_SIZE: '2' } })
    const prefix = env.REDIS_PREFIX as string
    const media = env.MEDIA_PATH as string
    for (let i = 1; i <= 6; i++) {
      await writeAudioFixture(join(media, 'A'), 'mp3', { name: `0${i}`, tags: { title: `T${i}`, artist: 'A', album: 'A', track: String(i) } })
    }
    t.match(await scan(app), { status: 'completed', added: 6 })
    const first = await keysOf(prefix)
    t.comment(`after the first scan: ${first.length} keys: ${first.join(', ')}`)
    t.notOk(first.some((k) => /^(scan|index):[^:]+$/.test(k) && !/:(meta|id|events|stalled-check|marker)$/.test(k)), 'no scan or index job is kept')
    const jobs = first.filter((k) => /^analysis:[0-9a-f-]{36}\.[0-9a-f]{16}$/.test(k))
    t.equal(jobs.length, analysis === 'on' ? 6 : 0, analysis === 'on' ? 'one analysis job per track waits' : 'no analysis job')

    for (let i = 0; i < 10; i++) t.match(await scan(app), { status: 'completed', added: 0, updated: 0 })
    t.same(await keysOf(prefix), first, 'the same keys after ten more scans')

    // A changed file: the scan's jobs still go; with analysis on, the track's job is replaced.
    await touch(join(media, 'A', '01.mp3'), new Date(Date.now() + 5000))
    t.match(await scan(app), { status: 'completed', updated: 1 })
    const changed = await keysOf(prefix)
    t.equal(changed.length, first.length, 'as many keys after a change')
  })
}
