// The Sonántica web app's part of the contract, checked in a real browser: a page on another
// origin than the service fetches, plays, seeks, draws covers and follows scan events, with the
// key as a Bearer header where the app sends one and none where it cannot.
import t from 'tap'
import { join } from 'node:path'
import { stat } from 'node:fs/promises'
import { build, tempDir, type TestApp } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { browserSkip, call, launchBrowser, openPage } from '../fixtures/browser.js'

const KEY = 'browser-test-key'
const AUTH = { authorization: `Bearer ${KEY}` }

interface Fetched { status?: number, headers?: Record<string, string>, bytes?: number, text?: string | null, error?: string }

interface TrackRow { id: string, albumId: string, artistId: string, filePath: string }

async function firstTrack (app: TestApp): Promise<TrackRow> {
  return ((await app.inject({ url: '/api/library/tracks', headers: AUTH })).json() as { tracks: TrackRow[] }).tracks[0]
}

t.test('a page on another origin uses the service as the web app does', { skip: browserSkip() }, async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  // Ten seconds of tone with an embedded 16x16 red cover.
  const file = await writeAudioFixture(join(media, 'Tone Maker', 'Tones'), 'mp3', {
    cover: true, seconds: 10, tags: { title: 'Sine', artist: 'Tone Maker', album: 'Tones', track: '1' }
  })
  const size = (await stat(file)).size

  // What the apps need when a key is set: API_KEY, MEDIA_ACCESS=open, CORS_ORIGINS left at *.
  const keyed = await build(t, { mediaPath: media, env: { API_KEY: KEY, MEDIA_ACCESS: 'open' } })
  t.equal((await scan(keyed, AUTH)).status, 'completed')
  const track = await firstTrack(keyed)
  const service = await keyed.listen({ port: 0, host: '127.0.0.1' })

  const context = await launchBrowser(t)
  const { page, origin } = await openPage(t, context)
  t.not(new URL(origin).port, new URL(service).port, 'the page and the service are different origins')
  // The app's fetch wrapper: Content-Type on every call (so every call is preflighted) and the
  // key as a Bearer header.
  const appHeaders = { 'Content-Type': 'application/json', Authorization: `Bearer ${KEY}` }

  await t.test('fetch with Authorization reads JSON; without it, a 401 the page can read', async (t) => {
    const ok = await call<Fetched>(page, 'request', `${service}/api/library/tracks`, { headers: appHeaders })
    t.equal(ok.error, undefined, 'not blocked by the browser')
    t.equal(ok.status, 200)
    t.equal((JSON.parse(ok.text ?? '{}') as { tracks: TrackRow[] }).tracks[0].id, track.id)

    const refused = await call<Fetched>(page, 'request', `${service}/api/library/tracks`, { headers: { 'Content-Type': 'application/json' } })
    t.equal(refused.error, undefined, 'the 401 is readable: it carries the CORS headers too')
    t.equal(refused.status, 401)
    t.match(JSON.parse(refused.text ?? '{}'), { statusCode: 401, error: 'Unauthorized' })
  })

  await t.test('fetch with Range reads Content-Range from script', async (t) => {
    for (const [url, headers] of [
      [`${service}/stream/${track.id}`, { Range: 'bytes=0-99' }],
      [`${service}/api/stream/${track.id}`, { ...appHeaders, Range: 'bytes=0-99' }]
    ] as const) {
      const res = await call<Fetched>(page, 'request', url, { headers })
      t.equal(res.error, undefined, url)
      t.equal(res.status, 206)
      t.equal(res.headers?.['content-range'], `bytes 0-99/${size}`)
      t.equal(res.headers?.['accept-ranges'], 'bytes')
      t.equal(res.headers?.['content-length'], '100')
      t.match(res.headers?.etag, /^"/, 'the validator is readable, for If-Range')
      t.equal(res.bytes, 100)
    }
    const whole = await call<Fetched>(page, 'request', `${service}/stream/${track.id}`)
    t.equal(whole.status, 200, 'the app downloads whole files without a key (MEDIA_ACCESS=open)')
    t.equal(whole.bytes, size)
  })

  await t.test('<audio crossOrigin="anonymous"> plays past 2 s, seeks, and plays on', async (t) => {
    const played = await call(page, 'playAndSeek', `${service}/stream/${track.id}`, 2, 6)
    t.equal(played.error, undefined, JSON.stringify(played))
    t.ok(Number(played.reached) > 2, `played to ${String(played.reached)} s`)
    t.equal(played.seeked, true, 'seeked fired')
    t.ok(Number(played.after) > 6.5, `played on to ${String(played.after)} s after seeking to 6 s`)
    t.ok(Math.abs(Number(played.duration) - 10) < 0.5, 'the whole duration is known')
  })

  await t.test('a cover drawn to a canvas can be read back', async (t) => {
    const cover = await call(page, 'readCover', `${service}/api/cover/${track.albumId}`)
    t.equal(cover.error, undefined, 'the canvas is not tainted')
    t.same([cover.width, cover.height], [16, 16])
    // Colour management may move a channel by a step or two.
    const [r, g, b, a] = cover.pixel as number[]
    t.ok(r > 240 && g < 16 && b < 16 && a === 255, `the red of the embedded picture (${String(cover.pixel)})`)
  })

  await t.test("the app's own requests, each preflighted, all readable", async (t) => {
    const calls: Array<[string, string, string?]> = [
      ['GET', '/health'],
      ['GET', '/api/library/tracks'],
      ['GET', '/api/library/artists'],
      ['GET', '/api/library/albums'],
      ['GET', `/api/library/tracks/${track.id}`],
      ['GET', `/api/library/artists/${track.artistId}/tracks`],
      ['GET', `/api/library/albums/${track.albumId}/tracks`],
      ['GET', '/api/library/alphabet-index?type=tracks'],
      ['GET', '/api/library/alphabet-index?type=artists'],
      ['GET', '/api/library/alphabet-index?type=albums'],
      ['GET', '/api/scan/status'],
      ['POST', '/api/scan/start', '{}']
    ]
    for (const [method, path, body] of calls) {
      const res = await call<Fetched>(page, 'request', `${service}${path}`, { method, headers: appHeaders, body })
      t.equal(res.error, undefined, `${method} ${path} is not blocked`)
      t.ok(res.status !== undefined && res.status >= 200 && res.status < 300, `${method} ${path}: ${String(res.status)}`)
    }
    // The whole library in three requests, as the app loads it: every row, in the shape of a page.
    const wholeLists = await Promise.all(['tracks', 'artists', 'albums'].map(async (kind) =>
      await call<Fetched>(page, 'request', `${service}/api/library/${kind}?limit=-1`, { headers: appHeaders })))
    wholeLists.forEach((res, i) => {
      const kind = ['tracks', 'artists', 'albums'][i]
      t.equal(res.error, undefined, `${kind}?limit=-1 is not blocked`)
      t.equal(res.status, 200, `${kind}?limit=-1`)
      t.match(JSON.parse(res.text ?? '{}'), { [kind]: [{}], total: 1, limit: -1, offset: 0 }, `every ${kind.slice(0, -1)}`)
    })
    const scanWithOptions = await call<Fetched>(page, 'request', `${service}/api/scan/start`, {
      method: 'POST', headers: appHeaders, body: JSON.stringify({ scanFileSizeLimit: 0, coverArtSizeLimit: 0, watchFolders: false, parallelScanning: true })
    })
    t.equal(scanWithOptions.status, 202, "the scan button's body is accepted")
    const favourite = await call<Fetched>(page, 'request', `${service}/api/library/tracks/${track.id}`, {
      method: 'PATCH', headers: appHeaders, body: JSON.stringify({ isFavorite: true, rating: 4 })
    })
    t.match(JSON.parse(favourite.text ?? '{}'), { isFavorite: true, rating: 4 }, 'favourite and rating set from the page')
  })

  await t.test("the app's playlist calls, each preflighted, all readable", async (t) => {
    const send = async (method: string, path: string, body?: unknown): Promise<Fetched> => {
      const res = await call<Fetched>(page, 'request', `${service}${path}`, { method, headers: appHeaders, body: body === undefined ? undefined : JSON.stringify(body) })
      t.equal(res.error, undefined, `${method} ${path} is not blocked`)
      return res
    }
    const created = await send('POST', '/api/library/playlists', { name: 'Mix', type: 'MANUAL', trackIds: [track.id, track.id] })
    t.equal(created.status, 201)
    const id = (JSON.parse(created.text ?? '{}') as { id: string }).id
    t.match(JSON.parse((await send('GET', '/api/library/playlists?type=')).text ?? '{}'), { playlists: [{ id, name: 'Mix', trackIds: [track.id, track.id], trackCount: 2 }] })
    t.equal((await send('GET', '/api/library/playlists?type=SMART')).text, '{"playlists":[]}')
    t.match(JSON.parse((await send('PATCH', `/api/library/playlists/${id}`, { name: 'Renamed' })).text ?? '{}'), { name: 'Renamed', trackIds: [track.id, track.id] })
    t.match(JSON.parse((await send('PATCH', `/api/library/playlists/${id}`, { trackIds: [track.id] })).text ?? '{}'), { trackIds: [track.id] })
    t.match(JSON.parse((await send('POST', `/api/library/playlists/${id}/tracks`, { trackIds: [track.id] })).text ?? '{}'), { trackIds: [track.id, track.id] })
    t.match(JSON.parse((await send('DELETE', `/api/library/playlists/${id}/tracks`, { trackIds: [track.id] })).text ?? '{}'), { trackIds: [] })
    const m3u = await send('GET', `/api/library/playlists/${id}.m3u8`)
    t.equal(m3u.status, 200)
    t.match(m3u.text, /^#EXTM3U\n#PLAYLIST:Renamed\n/)
    t.equal((await send('DELETE', `/api/library/playlists/${id}`)).status, 204)
    t.equal((await send('GET', `/api/library/playlists/${id}`)).status, 404)
  })

  await t.test('people sign up and log in from the page, each with their own key and their own favourites', async (t) => {
    const send = async (method: string, path: string, headers: Record<string, string>, body?: unknown): Promise<Fetched> => {
      const res = await call<Fetched>(page, 'request', `${service}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      t.equal(res.error, undefined, `${method} ${path} is not blocked`)
      return res
    }
    const json = { 'Content-Type': 'application/json' }
    const setup = await send('POST', '/api/auth/setup', appHeaders, { username: 'ana', password: 'ana password' })
    t.equal(setup.status, 201, 'the first admin, made with the shared key')
    await send('POST', '/api/users', appHeaders, { username: 'bo', password: 'bo password' })
    const login = async (username: string): Promise<Record<string, string>> => {
      const res = await send('POST', '/api/auth/login', json, { username, password: `${username} password`, name: 'Browser' })
      t.equal(res.status, 201, `${username} logs in without any key`)
      return { ...json, Authorization: `Bearer ${(JSON.parse(res.text ?? '{}') as { key: string }).key}` }
    }
    const ana = await login('ana')
    const bo = await login('bo')
    const stateOf = async (headers: Record<string, string>): Promise<unknown> =>
      JSON.parse((await send('GET', `/api/library/tracks/${track.id}`, headers)).text ?? '{}')
    t.match(await stateOf(ana), { isFavorite: true, rating: 4 }, 'what was saved with the shared key became the first admin\'s')
    t.match(await stateOf(bo), { isFavorite: false, rating: null }, 'another person starts with none')
    await send('PATCH', `/api/library/tracks/${track.id}`, bo, { rating: 2 })
    t.match(await stateOf(bo), { rating: 2 })
    t.match(await stateOf(ana), { rating: 4 }, 'one person\'s rating is not another\'s')

    const keys = JSON.parse((await send('GET', '/api/auth/keys', bo)).text ?? '{}') as { keys: Array<{ id: string, current: boolean }> }
    const current = keys.keys.find((k) => k.current)
    t.ok(current !== undefined, 'the page sees which key it holds')
    t.equal((await send('DELETE', `/api/auth/keys/${current?.id ?? ''}`, bo)).status, 204, 'and can log out by revoking it')
    const refused = await send('GET', '/api/library/tracks', bo)
    t.equal(refused.status, 401, 'the revoked key is refused, readably')

    let limited: Fetched = {}
    for (let i = 0; i < 12 && limited.status !== 429; i++) limited = await send('POST', '/api/auth/login', json, { username: 'bo', password: 'a wrong guess' })
    t.equal(limited.status, 429, 'password guessing is limited')
    t.ok(Number(limited.headers?.['retry-after']) > 0, 'and the page can read how long to wait')
  })

  await t.test('an EventSource receives scan:complete after a scan is started', async (t) => {
    // EventSource cannot send a header and the app appends no key: an open service.
    const open = await build(t, { mediaPath: media })
    const base = await open.listen({ port: 0, host: '127.0.0.1' })
    const events = await call(page, 'scanEvents', base, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })
    t.equal(events.error, undefined, JSON.stringify(events))
    t.equal(events.startStatus, 202)
    t.match(events.types, ['scan:start'])
    t.equal((events.types as string[]).at(-1), 'scan:complete')
    t.match(events.stats, { tracks: 1, albums: 1, artists: 1 })
  })
})
