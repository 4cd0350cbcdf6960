import t from 'tap'
import { join } from 'node:path'
import { build, tempDir } from '../helper.js'
import { digestsMatch, keyDigest } from '../../lib/users/api-keys.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'

const KEY = 's3cret-key-with-ümlaut'

t.test('without API_KEY the API is open', async (t) => {
  const app = await build(t)
  t.equal((await app.inject('/api/library/stats-does-not-exist')).statusCode, 404)
})

t.test('with API_KEY every /api and /stream route needs the key', async (t) => {
  const app = await build(t, { env: { API_KEY: KEY } })

  for (const url of ['/api/anything', '/api', '/stream/abc', '/api/stream/x/y.mp3?foo=1']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 401, `${url} without a key`)
    t.same(res.json(), { statusCode: 401, error: 'Unauthorized', message: 'A valid API key is required' })
    t.equal(res.headers['www-authenticate'], 'Bearer realm="sonantica"')
  }

  const wrong = [
    { headers: { authorization: 'Bearer nope' } },
    { headers: { authorization: `Bearer ${KEY}x` } },
    { headers: { authorization: `Basic ${Buffer.from(`u:${KEY}`).toString('base64')}` } },
    { headers: { authorization: KEY } },
    { query: { api_key: KEY.slice(0, -1) } },
    { query: { api_key: '' } }
  ]
  const bodies = new Set<string>()
  for (const opts of wrong) {
    const res = await app.inject({ url: '/api/anything', ...opts })
    t.equal(res.statusCode, 401, `wrong key ${JSON.stringify(opts)}`)
    bodies.add(res.body)
  }
  t.equal(bodies.size, 1, 'every wrong key gets the same answer: no hint which part was wrong')

  const bearer = await app.inject({ url: '/api/anything', headers: { authorization: `Bearer ${KEY}` } })
  t.equal(bearer.statusCode, 404, 'the right Bearer key passes through to routing')
  const query = await app.inject(`/api/anything?api_key=${encodeURIComponent(KEY)}`)
  t.equal(query.statusCode, 404, 'the right api_key query parameter passes (for <audio src>)')
  const lowerBearer = await app.inject({ url: '/api/anything', headers: { authorization: `bearer ${KEY}` } })
  t.equal(lowerBearer.statusCode, 404, 'the scheme name is case-insensitive')
})

t.test('health and docs stay open with API_KEY set', async (t) => {
  const app = await build(t, { env: { API_KEY: KEY } })
  t.equal((await app.inject('/health')).statusCode, 200)
  t.equal((await app.inject('/health/ready')).statusCode, 200)
  t.equal((await app.inject('/docs/json')).statusCode, 200)
  t.equal((await app.inject('/docs')).statusCode < 400, true)
  t.equal((await app.inject({ method: 'HEAD', url: '/health' })).statusCode, 200, 'the HEAD route made from GET /health is public too')
  t.equal((await app.inject('/docs/')).statusCode < 400, true, 'every route the UI registers is public, whatever its spelling')
  t.equal((await app.inject('/docs/yaml')).statusCode, 200)
  t.equal((await app.inject('/docs/static/index.html')).statusCode < 400, true)
})

// Deny by default: the not-found handler is a route like any other, without the public flag.
// A caller without the key learns nothing about which paths exist (every one is a 401); the
// route table is no secret (it is in /docs/json), but the not-found answer echoes the path and
// would let a keyless caller probe how the router reads spellings.
t.test('with API_KEY, a path no route matches is a 401 without the key and a 404 with it', async (t) => {
  const app = await build(t, { env: { API_KEY: KEY } })
  for (const url of ['/apiary', '/nope', '/API/library/stats', '/healthz', '/docsx', '/', '/api/library/stats/extra']) {
    const without = await app.inject(url)
    t.equal(without.statusCode, 401, `${url} without the key`)
    t.same(without.json(), { statusCode: 401, error: 'Unauthorized', message: 'A valid API key is required' })
    const withKey = await app.inject({ url, headers: { authorization: `Bearer ${KEY}` } })
    t.equal(withKey.statusCode, 404, `${url} with the key`)
  }
  const deleteStats = await app.inject({ method: 'DELETE', url: '/api/library/stats' })
  t.equal(deleteStats.statusCode, 401, 'an unrouted method on a known path is denied as well')
})

t.test('MEDIA_ACCESS=open: audio and covers by id need no key, everything else still does', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'Artist', 'Album'), 'mp3', { cover: true, tags: { title: 'Song', artist: 'Artist', album: 'Album' } })
  const auth = { authorization: `Bearer ${KEY}` }
  const app = await build(t, { mediaPath: media, env: { API_KEY: KEY, MEDIA_ACCESS: 'open' } })
  t.equal((await scan(app, auth)).status, 'completed')
  const listed = await app.inject({ url: '/api/library/tracks', headers: auth })
  const track = (listed.json() as { tracks: Array<{ id: string, albumId: string, filePath: string }> }).tracks[0]

  for (const url of [`/stream/${track.id}`, `/api/stream/${track.id}`, `/api/stream/${track.id.toUpperCase()}`, `/api/cover/${track.albumId}`]) {
    for (const method of ['GET', 'HEAD'] as const) {
      const res = await app.inject({ method, url })
      t.equal(res.statusCode, 200, `${method} ${url} without a key`)
    }
  }
  const ranged = await app.inject({ url: `/stream/${track.id}`, headers: { range: 'bytes=0-99' } })
  t.equal(ranged.statusCode, 206, 'ranges work without a key')
  t.equal((await app.inject('/stream/00000000-0000-4000-8000-000000000000')).statusCode, 404, 'an unknown id is an ordinary 404')

  const encodedPath = track.filePath.split('/').map(encodeURIComponent).join('/')
  const stillKeyed = [
    `/api/stream/${encodedPath}`, `/stream/${encodedPath}`, `/stream/${encodeURIComponent(track.filePath)}`,
    `/stream/${track.id}x`, `/stream/${track.id}/x`, '/api/cover/not-a-uuid',
    '/api/library/tracks', `/api/library/tracks/${track.id}`, '/api/scan/status', '/api/scan/events', '/nope'
  ]
  for (const url of stillKeyed) t.equal((await app.inject(url)).statusCode, 401, `${url} still needs the key`)
  t.equal((await app.inject({ url: `/api/stream/${encodedPath}`, headers: auth })).statusCode, 200, 'by path with the key')
  for (const [method, url] of [['POST', '/api/scan/start'], ['PATCH', `/api/library/tracks/${track.id}`], ['POST', `/api/library/tracks/${track.id}/played`]] as const) {
    t.equal((await app.inject({ method, url, payload: { isFavorite: true } })).statusCode, 401, `${method} ${url} still needs the key`)
  }
})

t.test('MEDIA_ACCESS=key (the default) keeps audio and covers behind the key', async (t) => {
  const app = await build(t, { env: { API_KEY: KEY } })
  const id = '00000000-0000-4000-8000-000000000000'
  for (const url of [`/stream/${id}`, `/api/stream/${id}`, `/api/cover/${id}`]) {
    t.equal((await app.inject(url)).statusCode, 401, `${url} without a key`)
  }
})

t.test('keys are compared on equal-length digests', async (t) => {
  const expected = keyDigest(KEY)
  t.equal(digestsMatch(expected, keyDigest(KEY)), true)
  t.equal(digestsMatch(expected, keyDigest('')), false)
  t.equal(digestsMatch(expected, keyDigest(KEY.repeat(100))), false, 'a much longer guess neither throws nor matches')
  t.equal(digestsMatch(expected, Buffer.alloc(3)), false, 'a digest of another length neither throws nor matches')
})
