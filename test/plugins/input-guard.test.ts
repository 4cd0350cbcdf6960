// Input PostgreSQL cannot store, bodies nested past reason and loosely typed values are the
// caller's mistake: a 400 naming the field, and nothing changes.
import t from 'tap'
import { buildWithEnv, eachVariant, testEnv } from '../helper.js'
import { seedTrack } from '../fixtures/seed-track.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

t.test('NUL and unpaired surrogates in text inputs are 400s naming the field', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { env } = await testEnv(t, { backend: v.backend })
    const app = await buildWithEnv(t, env)
    const id = await seedTrack(app.pg, { filePath: 'a.mp3' })
    const cases: Array<[string, 'GET' | 'PUT' | 'PATCH', string, string | undefined, RegExp]> = [
      ['NUL in q', 'GET', '/api/library/tracks?q=a%00b', undefined, /^querystring\/q /],
      ['NUL in genre', 'GET', '/api/library/tracks?genre=Rock%00', undefined, /^querystring\/genre /],
      ['NUL in an album search', 'GET', '/api/library/albums?q=%00', undefined, /^querystring\/q /],
      ['NUL in an artist search', 'GET', '/api/library/artists?q=x%00', undefined, /^querystring\/q /],
      ['NUL in search', 'GET', '/api/library/search?q=a%00', undefined, /^querystring\/q /],
      ['NUL in a stream path', 'GET', '/api/stream/Album/a%00.mp3', undefined, /^params\/\* /],
      ['NUL in an analysis value', 'PUT', `/api/library/tracks/${id}/analysis`, '{"key":"8A\\u0000"}', /^body\/key /],
      ['NUL in an analysis key', 'PUT', `/api/library/tracks/${id}/analysis`, '{"k\\u0000":1}', /^body\/k\\u0000 /],
      ['a lone high surrogate', 'PUT', `/api/library/tracks/${id}/analysis`, '{"tags":["ok","\\ud800"]}', /^body\/tags\/1 /],
      ['a lone low surrogate', 'PUT', `/api/library/tracks/${id}/analysis`, '{"a":{"b":"\\udc00x"}}', /^body\/a\/b /]
    ]
    for (const [name, method, url, payload, message] of cases) {
      const res = await app.inject({ method, url, ...(payload === undefined ? {} : { payload, headers: JSON_HEADERS }) })
      t.equal(res.statusCode, 400, name)
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message, code: 'FST_ERR_VALIDATION' }, name)
      t.match(res.json().message, /must not contain NUL characters or unpaired surrogates/)
    }
    const track = (await app.inject(`/api/library/tracks/${id}`)).json()
    t.equal(track.analysis ?? null, null, 'no analysis was stored')

    const paired = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: '{"mood":"\\ud83c\\udfb5"}', headers: JSON_HEADERS })
    t.equal(paired.statusCode, 200, 'a surrogate pair (an emoji) is ordinary text')
  })
})

t.test('a deeply nested body is a 400 before it is parsed', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, env)
  const id = await seedTrack(app.pg, { filePath: 'a.mp3' })
  for (const depth of [65, 5000]) {
    const payload = `{"waveform":${'['.repeat(depth)}${']'.repeat(depth)}}`
    const res = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload, headers: JSON_HEADERS })
    t.equal(res.statusCode, 400, `${depth} levels`)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: 'body must not nest deeper than 64 levels' })
  }
  const ok = `{"waveform":${'['.repeat(60)}1${']'.repeat(60)},"note":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}`
  const res = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: ok, headers: JSON_HEADERS })
  t.equal(res.statusCode, 200, 'ordinary nesting, and brackets inside strings, pass')
})

t.test('a number beyond a double\'s range is a 400, not a null stored in its place', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, env)
  const id = await seedTrack(app.pg, { filePath: 'a.mp3' })
  for (const [payload, field] of [['{"bpm":1e400}', 'body/bpm'], ['{"waveform":[0,-1e400]}', 'body/waveform/1']] as const) {
    const res = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload, headers: JSON_HEADERS })
    t.equal(res.statusCode, 400, payload)
    t.match(res.json(), { message: `${field} must be a finite number` })
  }
  const { rows } = await app.pg.query('SELECT analysis FROM tracks WHERE id = $1', [id])
  t.equal(rows[0].analysis, null, 'nothing stored')
  const ok = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: '{"bpm":1e300,"gain":-0.5}', headers: JSON_HEADERS })
  t.equal(ok.statusCode, 200, 'large but finite numbers pass')
})

t.test('bodies are never coerced: a boolean must be true or false', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, env)
  const id = await seedTrack(app.pg, { filePath: 'a.mp3' })
  const patch = async (payload: string) => app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload, headers: JSON_HEADERS })
  t.equal((await patch('{"isFavorite":true}')).statusCode, 200)
  for (const value of ['null', '"true"', '"false"', '[false]', '0', '1', '""']) {
    const res = await patch(`{"isFavorite":${value}}`)
    t.equal(res.statusCode, 400, `isFavorite: ${value}`)
    t.match(res.json(), { statusCode: 400, message: 'body/isFavorite must be boolean' })
  }
  t.equal((await app.inject(`/api/library/tracks/${id}`)).json().isFavorite, true, 'the favourite is kept')
})

t.test('query numbers are plain decimal integers', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, env)
  for (const url of [
    '/api/library/tracks?limit=0x10', '/api/library/tracks?limit=%20%201', '/api/library/tracks?limit=1e1',
    '/api/library/tracks?offset=0b1', '/api/library/albums?year=%2B2000', '/api/library/search?q=x&limit=1.0',
    '/api/library/artists?limit=5%20'
  ]) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /^querystring\/(limit|offset|year) must be integer \(decimal digits only\)$/ })
  }
  const res = await app.inject('/api/library/tracks?limit=10&offset=0&year=2000')
  t.equal(res.statusCode, 200)
  t.match(res.json(), { limit: 10, offset: 0 })
  t.equal((await app.inject('/api/library/tracks?limit=-1')).statusCode, 200, 'a leading minus is left to the schema: -1 is the whole list')
  t.match((await app.inject('/api/library/tracks?limit=-2')).json(), { statusCode: 400, message: /^querystring\/limit / },
    'and -2 is out of its range')
})

t.test('one JSON parser: an empty body is no body, and routes still say what they need', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, env)
  const id = await seedTrack(app.pg, { filePath: 'a.mp3' })
  t.equal((await app.inject({ method: 'POST', url: '/api/scan/start', payload: '', headers: JSON_HEADERS })).statusCode, 202)
  const empty = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: ' ', headers: JSON_HEADERS })
  t.equal(empty.statusCode, 400)
  t.match(empty.json(), { message: /^body must be (an )?object/ })
  const broken = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: '{"isFavorite":', headers: JSON_HEADERS })
  t.equal(broken.statusCode, 400)
  const proto = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: '{"__proto__":{"x":1}}', headers: JSON_HEADERS })
  t.equal(proto.statusCode, 400, 'prototype poisoning is still refused')
})
