// Signing up, logging in and keys, as a household's apps do them, on both databases.
import t from 'tap'
import { buildWithEnv, eachVariant, testEnv, type TestApp } from '../../helper.js'

const ADMIN = { username: 'Ana', password: 'first admin password' }

async function setup (app: TestApp, body: object = ADMIN, headers: Record<string, string> = {}): Promise<{ statusCode: number, json: () => any }> {
  return await app.inject({ method: 'POST', url: '/api/auth/setup', payload: body, headers })
}

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

t.test('an open service stays open until the first admin signs up, then every route needs a key', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    t.equal((await app.inject('/api/library/tracks')).statusCode, 200, 'open before anyone signs up')
    t.equal((await app.inject('/api/users/me')).statusCode, 404, 'nobody to be yet')

    const made = await setup(app)
    t.equal(made.statusCode, 201)
    const body = made.json()
    t.match(body, { user: { username: 'Ana', role: 'admin', displayName: 'Ana' }, apiKey: { name: 'setup', role: 'user', current: false } })
    t.match(body.key, /^snt_[\w-]{43}$/, '256 random bits, base64url')
    t.notOk(JSON.stringify(body).includes(ADMIN.password), 'no password in the answer')

    t.equal((await app.inject('/api/library/tracks')).statusCode, 401, 'anonymous access ends')
    t.equal((await app.inject({ url: '/api/library/tracks', headers: bearer(body.key) })).statusCode, 200)
    t.equal((await app.inject(`/api/library/tracks?api_key=${encodeURIComponent(body.key)}`)).statusCode, 200, 'the key as a query parameter')
    t.equal((await setup(app, { username: 'Eve', password: 'another password' }, bearer(body.key))).statusCode, 409, 'setup answers 409 forever')
    t.equal((await setup(app, { username: 'Eve', password: 'another password' })).statusCode, 401, 'and anonymously it is just refused')
    const me = await app.inject({ url: '/api/users/me', headers: bearer(body.key) })
    t.match(me.json(), { username: 'Ana', role: 'admin' })
  })
})

t.test('with API_KEY set, setup needs that key, which keeps working as an admin key afterwards', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t, { env: { API_KEY: 'legacy-key' } })).env)
  t.equal((await setup(app)).statusCode, 401, 'nobody without the key can make themselves admin')
  const made = await setup(app, ADMIN, bearer('legacy-key'))
  t.equal(made.statusCode, 201)
  t.equal((await app.inject({ url: '/api/users', headers: bearer('legacy-key') })).statusCode, 200, 'the shared key is an admin key')
  t.equal((await app.inject({ method: 'POST', url: '/api/scan/start', headers: bearer('legacy-key') })).statusCode, 202)
  t.equal((await app.inject({ url: '/api/library/tracks', headers: bearer(made.json().key) })).statusCode, 200)
})

t.test('login: a key per device; the same 401 for an unknown user and a wrong password', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  await setup(app)
  const login = async (username: string, password: string, name?: string) =>
    await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password, name } })

  const phone = await login('ana', ADMIN.password, 'Phone')
  t.equal(phone.statusCode, 201, 'usernames are case-insensitive')
  t.equal(phone.json().apiKey.name, 'Phone')
  const wrong = await login('Ana', 'not the password')
  const unknown = await login('Nobody', 'not the password')
  t.equal(wrong.statusCode, 401)
  t.equal(unknown.statusCode, 401)
  t.equal(wrong.body, unknown.body, 'no hint whether the user exists')
  t.equal(wrong.headers['www-authenticate'], undefined)

  // Both run one Argon2id verification: the unknown user's answer takes about as long.
  const time = async (username: string): Promise<number> => {
    const start = process.hrtime.bigint()
    await login(username, 'not the password')
    return Number(process.hrtime.bigint() - start) / 1e6
  }
  // The fastest of several: what the work itself costs, without the waits for a core that other
  // test files running beside this one add to any single timing (a median of four still caught one).
  const fastest = (xs: number[]): number => Math.min(...xs)
  const known: number[] = []
  const nobody: number[] = []
  for (let i = 0; i < 8; i++) {
    known.push(await time('Ana'))
    nobody.push(await time(`nobody${i}`))
  }
  const ratio = fastest(nobody) / fastest(known)
  t.ok(ratio > 0.5 && ratio < 2, `an unknown user takes ${fastest(nobody).toFixed(1)} ms, a wrong password ${fastest(known).toFixed(1)} ms`)

  const keys = await app.inject({ url: '/api/auth/keys', headers: bearer(phone.json().key) })
  t.equal(keys.statusCode, 200)
  const listed = keys.json().keys as Array<{ name: string, current: boolean }>
  t.same(listed.map((k) => [k.name, k.current]), [['setup', false], ['Phone', true]])
  t.notOk(keys.body.includes(phone.json().key), 'a key is never shown again')
  t.notOk(keys.body.includes('key_hash') || keys.body.includes('hash'), 'nor its digest')
})

t.test('a revoked key is refused at once here and within a second by another process on the same database', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { env } = await testEnv(t, { backend: v.backend })
    const app = await buildWithEnv(t, env)
    const admin = (await setup(app)).json().key as string
    const made = await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin), payload: { name: 'Tablet' } })
    t.equal(made.statusCode, 201)
    const tablet = made.json()
    // PGlite is one process's database: the second process needs PostgreSQL.
    const other = v.backend === 'postgres' ? await buildWithEnv(t, env) : null
    t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(tablet.key) })).statusCode, 200)
    if (other !== null) t.equal((await other.inject({ url: '/api/library/stats', headers: bearer(tablet.key) })).statusCode, 200, 'the other process trusts it too')

    const revoked = await app.inject({ method: 'DELETE', url: `/api/auth/keys/${tablet.apiKey.id}`, headers: bearer(admin) })
    t.equal(revoked.statusCode, 204)
    t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(tablet.key) })).statusCode, 401, 'refused at once')
    if (other !== null) {
      await new Promise((resolve) => setTimeout(resolve, 1050))
      t.equal((await other.inject({ url: '/api/library/stats', headers: bearer(tablet.key) })).statusCode, 401, 'refused by the other process a second later')
    }
    t.equal((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${tablet.apiKey.id}`, headers: bearer(admin) })).statusCode, 404, 'gone')
  })
})

t.test('a user cannot see or revoke another user\'s keys', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  const admin = (await setup(app)).json().key as string
  await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
  const bo = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bo', password: 'bo password' } })).json()
  const adminKeys = (await app.inject({ url: '/api/auth/keys', headers: bearer(admin) })).json().keys as Array<{ id: string }>
  const boKeys = (await app.inject({ url: '/api/auth/keys', headers: bearer(bo.key) })).json().keys as Array<{ id: string }>
  t.equal(boKeys.length, 1, 'only their own')
  t.equal((await app.inject({ method: 'DELETE', url: `/api/auth/keys/${adminKeys[0].id}`, headers: bearer(bo.key) })).statusCode, 404)
  t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(admin) })).statusCode, 200, 'the admin\'s key still works')
})

t.test('worker keys write analysis results and nothing else', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  const admin = (await setup(app)).json().key as string
  await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
  const bo = (await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bo', password: 'bo password' } })).json().key as string

  t.equal((await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(bo), payload: { name: 'w', role: 'worker' } })).statusCode, 403, 'only an admin makes worker keys')
  const made = await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin), payload: { name: 'analysis', role: 'worker' } })
  t.equal(made.statusCode, 201)
  const worker = made.json().key as string
  t.equal(made.json().apiKey.role, 'worker')

  const noTrack = '0c1d2e3f-0000-4000-8000-000000000001'
  const analysis = (key: string) => app.inject({ method: 'PUT', url: `/api/library/tracks/${noTrack}/analysis`, headers: bearer(key), payload: { bpm: 120 } })
  t.equal((await analysis(worker)).statusCode, 404, 'a worker key reaches the analysis route (no such track)')
  t.equal((await analysis(admin)).statusCode, 404, 'so does an admin')
  t.equal((await analysis(bo)).statusCode, 403, 'a person who is not an admin does not')
  for (const [method, url] of [['GET', '/api/library/tracks'], ['GET', '/api/auth/keys'], ['POST', '/api/scan/start'], ['GET', '/api/users/me']] as const) {
    const res = await app.inject({ method, url, headers: bearer(worker) })
    t.equal(res.statusCode, 403, `a worker key may not ${method} ${url}`)
  }
  t.equal((await app.inject({ method: 'POST', url: '/api/scan/start', headers: bearer(bo) })).statusCode, 403, 'only admins start scans')
  t.equal((await app.inject({ url: '/api/users', headers: bearer(bo) })).statusCode, 403, 'only admins see other users')
})
