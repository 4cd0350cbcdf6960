import t from 'tap'
import { build } from '../helper.js'
import { keysMatch } from '../../plugins/auth.js'
import { createHash } from 'node:crypto'

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
  t.equal((await app.inject('/apiary')).statusCode, 404, 'a path that merely starts with "api" is not protected')
})

t.test('keys are compared on equal-length digests', async (t) => {
  const expected = createHash('sha256').update(KEY).digest()
  t.equal(keysMatch(expected, KEY), true)
  t.equal(keysMatch(expected, ''), false)
  t.equal(keysMatch(expected, KEY.repeat(100)), false, 'a much longer guess neither throws nor matches')
})
