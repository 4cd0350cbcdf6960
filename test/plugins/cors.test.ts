import t from 'tap'
import { join } from 'node:path'
import type { OpenAPIV3 } from 'openapi-types'
import { build, tempDir } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { probeRequest } from '../fixtures/http.js'

const KEY = 'cors-test-key'
const AUTH = { authorization: `Bearer ${KEY}` }
const APP_ORIGIN = 'http://localhost:5173'
const ALLOWED_HEADERS = ['authorization', 'content-type', 'range', 'if-none-match', 'if-range']
const EXPOSED = ['content-range', 'content-length', 'accept-ranges', 'etag', 'retry-after', 'x-content-duration']
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'

const list = (value: unknown): string[] => String(value ?? '').toLowerCase().split(',').map((s) => s.trim()).filter(Boolean)

t.test('CORS with the default CORS_ORIGINS (*) and API_KEY set', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'Artist', 'Album'), 'mp3', { cover: true, seconds: 2, tags: { title: 'Song', artist: 'Artist', album: 'Album' } })
  const app = await build(t, { mediaPath: media, env: { API_KEY: KEY } })
  t.equal((await scan(app, AUTH)).status, 'completed')
  const track = ((await app.inject({ url: '/api/library/tracks', headers: AUTH })).json() as { tracks: Array<Record<string, string>> }).tracks[0]

  await t.test('a preflight to every route (and to no route) is a 204 without the key', async (t) => {
    const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
    const targets: Array<[string, string]> = [['GET', '/nope'], ['GET', '/docs/json']]
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete'] as const) {
        if (item?.[method] !== undefined) targets.push([method.toUpperCase(), template.replace(/\{\w+\}/g, NO_SUCH_ID)])
      }
    }
    t.ok(targets.length > 20)
    for (const [method, url] of targets) {
      const res = await app.inject({
        method: 'OPTIONS',
        url,
        headers: { origin: APP_ORIGIN, 'access-control-request-method': method, 'access-control-request-headers': 'authorization,content-type,range' }
      })
      t.equal(res.statusCode, 204, `OPTIONS ${url} for ${method}`)
      t.equal(res.headers['access-control-allow-origin'], '*')
      t.ok(list(res.headers['access-control-allow-methods']).includes(method.toLowerCase()), `${method} is allowed`)
      t.same(list(res.headers['access-control-allow-headers']).sort(), [...ALLOWED_HEADERS].sort())
      t.equal(res.headers['access-control-allow-credentials'], undefined, 'no credentials: the key travels as a header, never a cookie')
    }
    const bare = await app.inject({ method: 'OPTIONS', url: '/api/library/tracks' })
    t.equal(bare.statusCode, 204, 'an OPTIONS that is not a preflight is answered the same way, not with a 401')
  })

  await t.test('every kind of answer carries the headers a page needs to read it', async (t) => {
    const headers = { origin: APP_ORIGIN }
    const cases: Array<[string, { url: string, method?: 'GET' | 'HEAD' | 'PATCH', headers?: Record<string, string>, payload?: Record<string, unknown> }, number]> = [
      ['a 401', { url: '/api/library/tracks' }, 401],
      ['a 401 for no route', { url: '/nope' }, 401],
      ['a 404 for no route, with the key', { url: '/nope', headers: AUTH }, 404],
      ['a 404 from a handler', { url: `/api/library/tracks/${NO_SUCH_ID}`, headers: AUTH }, 404],
      ['a 400', { url: '/api/library/tracks?sort=nope', headers: AUTH }, 400],
      ['a 400 for a body', { method: 'PATCH', url: `/api/library/tracks/${track.id}`, headers: AUTH, payload: { title: 'x' } }, 400],
      ['a list', { url: '/api/library/tracks', headers: AUTH }, 200],
      ['health', { url: '/health' }, 200],
      ['a whole stream', { url: `/stream/${track.id}`, headers: AUTH }, 200],
      ['a HEAD of a stream', { method: 'HEAD', url: `/api/stream/${track.id}`, headers: AUTH }, 200],
      ['a range', { url: `/api/stream/${track.id}`, headers: { ...AUTH, range: 'bytes=0-99' } }, 206],
      ['a range past the end', { url: `/api/stream/${track.id}`, headers: { ...AUTH, range: 'bytes=99999999-' } }, 416],
      ['a cover', { url: `/api/cover/${track.albumId}`, headers: AUTH }, 200]
    ]
    for (const [what, request, status] of cases) {
      const res = await app.inject({ ...request, headers: { ...headers, ...request.headers } })
      t.equal(res.statusCode, status, what)
      t.equal(res.headers['access-control-allow-origin'], '*', `${what}: Access-Control-Allow-Origin`)
      t.same(list(res.headers['access-control-expose-headers']).sort(), [...EXPOSED].sort(), `${what}: Access-Control-Expose-Headers`)
    }
  })

  await t.test('the event stream, which writes its own head, carries them too', async (t) => {
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const res = await probeRequest(base, `/api/scan/events?api_key=${KEY}`, { headers: { origin: APP_ORIGIN } })
    t.equal(res.status, 200)
    t.match(res.headers['content-type'], /^text\/event-stream/)
    t.equal(res.headers['access-control-allow-origin'], '*')
    t.equal(res.headers['cache-control'], 'no-cache', 'its own headers are kept')
  })
})

t.test('CORS_ORIGINS restricts the origins that may read answers', async (t) => {
  const app = await build(t, { env: { CORS_ORIGINS: `https://music.example.com, ${APP_ORIGIN}` } })
  for (const origin of ['https://music.example.com', APP_ORIGIN]) {
    const res = await app.inject({ url: '/health', headers: { origin } })
    t.equal(res.headers['access-control-allow-origin'], origin, `${origin} is echoed`)
    t.match(res.headers.vary, /origin/i, 'caches keep answers per origin')
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/library/tracks', headers: { origin, 'access-control-request-method': 'GET' } })
    t.equal(preflight.statusCode, 204)
    t.equal(preflight.headers['access-control-allow-origin'], origin)
  }
  for (const origin of ['https://evil.example', 'http://localhost:5174', 'null']) {
    const res = await app.inject({ url: '/health', headers: { origin } })
    t.equal(res.statusCode, 200, 'the server still answers; the browser withholds it')
    t.equal(res.headers['access-control-allow-origin'], undefined, `${origin} is not allowed`)
    const preflight = await app.inject({ method: 'OPTIONS', url: '/api/library/tracks', headers: { origin, 'access-control-request-method': 'GET' } })
    t.equal(preflight.headers['access-control-allow-origin'], undefined, `${origin}: preflight not granted`)
  }
})
