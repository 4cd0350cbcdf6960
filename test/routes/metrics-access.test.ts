// Who may read /metrics, and what its series look like: Prometheus names, and labels that a
// client's URLs cannot multiply.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { writeAudioFixture } from '../fixtures/audio.js'
import { parseScrape, type Scrape } from '../fixtures/prometheus.js'
import { buildScanApp, scan } from '../fixtures/scan.js'
import { build, tempDir } from '../helper.js'

const ADMIN = { ADMIN_USERNAME: 'ops', ADMIN_PASSWORD: 'ops password' }
const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

t.test('METRICS_PUBLIC: off, /metrics needs a person\'s key; on, it needs none', async (t) => {
  const closed = await build(t, { env: ADMIN })
  const admin = (await closed.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ops', password: 'ops password' } })).json().key as string
  await closed.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
  const user = (await closed.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bo', password: 'bo password' } })).json().key as string
  const worker = (await closed.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin), payload: { name: 'w', role: 'worker' } })).json().key as string

  const anonymous = await closed.inject('/metrics')
  t.equal(anonymous.statusCode, 401, 'no key: 401')
  t.same(Object.keys(anonymous.json()).sort(), ['error', 'message', 'statusCode'], 'in the one error shape')
  t.equal((await closed.inject({ url: '/metrics', headers: bearer('snt_wrong') })).statusCode, 401, 'a wrong key: 401')
  t.equal((await closed.inject({ url: `/metrics?api_key=${user}` })).statusCode, 200, 'a user\'s key, as for the rest of the API')
  t.equal((await closed.inject({ url: '/metrics', headers: bearer(admin) })).statusCode, 200, 'an admin\'s key')
  t.equal((await closed.inject({ url: '/metrics', headers: bearer(worker) })).statusCode, 403, 'a worker key is no person\'s')
  const doc = (await closed.inject('/docs/json')).json()
  t.ok(doc.paths['/metrics'].get.security === undefined || doc.paths['/metrics'].get.security.length > 0, 'documented as needing the key')

  const open = await build(t, { env: { ...ADMIN, METRICS_PUBLIC: 'true' } })
  const res = await open.inject('/metrics')
  t.equal(res.statusCode, 200, 'METRICS_PUBLIC=true: no key needed')
  t.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4; charset=utf-8/)
  t.equal((await open.inject('/api/library/tracks')).statusCode, 401, 'and the rest of the API stays closed')
  const openDoc = (await open.inject('/docs/json')).json()
  t.same(openDoc.paths['/metrics'].get.security, [], 'documented as public')
})

t.test('metric names follow Prometheus conventions', async (t) => {
  const app = await build(t)
  await app.inject('/api/library/tracks')
  const { types, series } = parseScrape((await app.inject('/metrics')).body)
  const ours = [...types].filter(([name]) => name.startsWith('sonantica_'))
  t.ok(ours.length >= 20, `${ours.length} sonantica_ metrics`)
  for (const [name, type] of ours) {
    t.match(name, /^[a-z][a-z0-9_]*$/, `${name}: lower-case snake case`)
    if (type === 'counter') t.match(name, /_total$/, `${name}: a counter ends in _total`)
    else t.notMatch(name, /_total$/, `${name}: only counters end in _total`)
    if (type === 'histogram') t.match(name, /_seconds$/, `${name}: a histogram of time is in seconds`)
    if (/bytes/.test(name)) t.match(name, /_bytes(_total)?$/, `${name}: bytes say so at the end`)
    if (/duration|latency|time/.test(name)) t.match(name, /_seconds(_total)?$/, `${name}: times are in seconds`)
  }
  for (const key of series.keys()) t.notMatch(key, /[A-Z]+="[^"]*"/, `${key}: label names are lower case`)
  t.ok(types.has('process_cpu_seconds_total') && types.has('process_resident_memory_bytes'), 'process metrics')
  t.ok(types.has('nodejs_eventloop_lag_seconds'), 'event loop lag')
  t.equal(types.get('sonantica_http_request_duration_seconds'), 'histogram')
})

t.test('1,000 random paths create no new series', async (t) => {
  const app = await build(t)
  const random = (): string => randomBytes(1 + Math.floor(Math.random() * 12)).toString('base64url')
  const paths = (): string[] => [
    `/${random()}`,
    `/api/${random()}/${random()}`,
    `/api/stream/${random()}/${random()}.mp3`,
    `/api/library/tracks/${random()}`,
    `/rest/${random()}.view`,
    `/${random()}?q=${random()}`
  ]
  const methods = ['GET', 'HEAD', 'POST', 'DELETE'] as const
  // One round first, so every status these requests can get already has its series (the
  // scrape's own included).
  for (const method of methods) for (const url of paths()) await app.inject({ method, url })
  await app.inject('/metrics')
  const before = parseScrape((await app.inject('/metrics')).body)
  const requested = 1000
  for (let i = 0; i < requested; i++) {
    const url = paths()[i % 6]
    await app.inject({ method: methods[i % methods.length], url })
  }
  const after = parseScrape((await app.inject('/metrics')).body)
  const added = [...after.series.keys()].filter((key) => !before.series.has(key))
  t.same(added, [], `${requested} random paths added no series`)
  const routes = new Set([...after.series.keys()].map((key) => /route="([^"]*)"/.exec(key)?.[1]).filter((r) => r !== undefined))
  t.ok(routes.has('unmatched'), 'unmatched requests share one label')
  for (const route of routes) t.ok(route === 'unmatched' || route.startsWith('/'), `${route}: a route pattern or unmatched`)
  const counted = [...after.series].filter(([key]) => key.startsWith('sonantica_http_requests_total{'))
    .reduce((sum, [key, n]) => sum + n - (before.series.get(key) ?? 0), 0)
  t.equal(counted, requested + 1, 'every request counted (and the scrape before)')
})

t.test('open scan event streams are counted while they stay open', async (t) => {
  const app = await build(t)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const subscribers = async (): Promise<number> => parseScrape((await app.inject('/metrics')).body).series.get('sonantica_sse_subscribers') ?? -1
  t.equal(await subscribers(), 0)
  const controllers = [new AbortController(), new AbortController()]
  for (const controller of controllers) {
    const res = await fetch(`${address}/api/scan/events`, { signal: controller.signal })
    t.equal(res.status, 200)
  }
  t.equal(await subscribers(), 2, 'two listeners')
  t.equal((await app.inject({ method: 'HEAD', url: '/api/scan/events' })).statusCode, 200)
  t.equal(await subscribers(), 2, 'a HEAD holds no stream')
  for (const controller of controllers) controller.abort()
  let now = await subscribers()
  for (let i = 0; i < 50 && now !== 0; i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    now = await subscribers()
  }
  t.equal(now, 0, 'none once they left')
})

t.test('a transcode shows as running while its listener holds it', async (t) => {
  const media = await tempDir(t, 'sonantica-metrics-transcode-')
  await writeAudioFixture(join(media, 'Long'), 'wav', { name: 'long', seconds: 120, tags: { title: 'Long', artist: 'Long', album: 'Long' } })
  const { app } = await buildScanApp(t, { mediaPath: media })
  t.equal((await scan(app)).status, 'completed')
  const [track] = (await app.inject('/api/library/tracks')).json().tracks as Array<{ id: string }>
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const figures = async (): Promise<Scrape> => parseScrape((await app.inject('/metrics')).body)
  t.equal((await figures()).series.get('sonantica_transcodes_running'), 0)

  const held = await new Promise<IncomingMessage>((resolve, reject) => {
    httpRequest(`${address}/api/stream/${track.id}?format=mp3&bitrate=64`, resolve).on('error', reject).end()
  })
  t.equal(held.statusCode, 200)
  t.match(held.headers['content-type'], /^audio\/mpeg/)
  held.pause()
  const during = await figures()
  t.equal(during.series.get('sonantica_transcodes_running'), 1, 'one ffmpeg runs')
  t.equal(during.series.get('sonantica_streams_active'), 1, 'and its response is an active stream')
  t.ok((during.series.get('sonantica_transcode_slots') ?? 0) >= 1, 'out of TRANSCODE_MAX slots')
  held.destroy()
  let after = await figures()
  for (let i = 0; i < 100 && (after.series.get('sonantica_transcodes_running') !== 0 || after.series.get('sonantica_streams_active') !== 0); i++) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    after = await figures()
  }
  t.equal(after.series.get('sonantica_transcodes_running'), 0, 'the ffmpeg is gone with its listener')
  t.equal(after.series.get('sonantica_streams_active'), 0)
  t.ok((after.series.get('sonantica_stream_sent_bytes_total') ?? 0) > 0, 'the transcoded bytes sent are counted')
})
