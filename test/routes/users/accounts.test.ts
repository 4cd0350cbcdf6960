// The people who share a server, managed by its admins.
import t from 'tap'
import { buildWithEnv, eachVariant, testEnv, type TestApp } from '../../helper.js'
import { PASSWORD_LIMITS } from '../../../plugins/rate-limit.js'

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

async function firstAdmin (app: TestApp): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { username: 'ana', password: 'ana password' } })
  return res.json().key as string
}

async function login (app: TestApp, username: string, password: string): Promise<{ statusCode: number, key: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
  return { statusCode: res.statusCode, key: res.statusCode === 201 ? res.json().key : '' }
}

t.test('admins add, change and delete users; the last admin stays', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    const admin = await firstAdmin(app)
    const add = (body: object) => app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: body })

    const bo = await add({ username: 'Bo', password: 'bo password', displayName: 'Bo B.' })
    t.equal(bo.statusCode, 201)
    t.match(bo.json(), { username: 'Bo', displayName: 'Bo B.', role: 'user', lastSeenAt: null })
    t.equal((await add({ username: 'BO', password: 'other password' })).statusCode, 409, 'usernames are unique whatever their case')
    for (const bad of [{ username: 'a b', password: 'long enough' }, { username: 'x', password: 'short' }, { username: '', password: 'long enough' }, { username: 'x', password: 'long enough', role: 'root' }]) {
      t.equal((await add(bad)).statusCode, 400, `refused: ${JSON.stringify(bad)}`)
    }
    const list = await app.inject({ url: '/api/users', headers: bearer(admin) })
    t.same(list.json().users.map((u: { username: string }) => u.username), ['ana', 'Bo'])
    t.notOk(list.body.includes('password'), 'no password or hash is ever returned')

    const boId = bo.json().id as string
    const boKey = (await login(app, 'bo', 'bo password')).key
    t.equal((await app.inject({ url: `/api/users/${boId}`, headers: bearer(boKey) })).statusCode, 403, 'a user does not see other users')
    t.equal((await app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: bearer(boKey), payload: { role: 'admin' } })).statusCode, 403, 'nor promote themselves')

    const renamed = await app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: bearer(admin), payload: { displayName: null } })
    t.equal(renamed.json().displayName, 'Bo', 'a cleared display name shows the username')
    const reset = await app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: bearer(admin), payload: { password: 'reset password' } })
    t.equal(reset.statusCode, 200)
    t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(boKey) })).statusCode, 401, 'a password reset revokes the user\'s keys')
    t.equal((await login(app, 'bo', 'bo password')).statusCode, 401)
    t.equal((await login(app, 'bo', 'reset password')).statusCode, 201)

    const anaId = (await app.inject({ url: '/api/users/me', headers: bearer(admin) })).json().id as string
    t.equal((await app.inject({ method: 'PATCH', url: `/api/users/${anaId}`, headers: bearer(admin), payload: { role: 'user' } })).statusCode, 409, 'the last admin cannot be demoted')
    t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${anaId}`, headers: bearer(admin) })).statusCode, 409, 'nor deleted')
    t.equal((await app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: bearer(admin), payload: { role: 'admin' } })).json().role, 'admin')
    t.equal((await app.inject({ method: 'PATCH', url: `/api/users/${anaId}`, headers: bearer(admin), payload: { role: 'user' } })).statusCode, 200, 'with another admin, it can')
    t.equal((await app.inject({ url: '/api/users', headers: bearer(admin) })).statusCode, 403, 'and the demoted admin\'s key is a user\'s key at once')

    const boAdmin = (await login(app, 'bo', 'reset password')).key
    t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${anaId}`, headers: bearer(boAdmin) })).statusCode, 204)
    t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(admin) })).statusCode, 401, 'a deleted user\'s keys go with them')
    t.equal((await app.inject({ method: 'DELETE', url: `/api/users/${anaId}`, headers: bearer(boAdmin) })).statusCode, 404)
    t.equal((await app.inject({ method: 'POST', url: '/api/auth/setup', headers: bearer(boAdmin), payload: { username: 'x', password: 'xxxxxxxxxx' } })).statusCode, 409, 'users exist: no second first admin')
  })
})

t.test('two admins demoting each other at once leave one admin', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    const ana = await firstAdmin(app)
    const bo = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(ana), payload: { username: 'bo', password: 'bo password', role: 'admin' } })
    const boKey = (await login(app, 'bo', 'bo password')).key
    const anaId = (await app.inject({ url: '/api/users/me', headers: bearer(ana) })).json().id as string
    const results = await Promise.all([
      app.inject({ method: 'PATCH', url: `/api/users/${bo.json().id}`, headers: bearer(ana), payload: { role: 'user' } }),
      app.inject({ method: 'PATCH', url: `/api/users/${anaId}`, headers: bearer(boKey), payload: { role: 'user' } })
    ])
    t.same(results.map((r) => r.statusCode).sort(), [200, 409])
    const { rows } = await app.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND username IS NOT NULL")
    t.equal(rows[0].n, 1)
  })
})

t.test('changing your own password revokes your other keys unless asked not to', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  const first = await firstAdmin(app)
  const phone = (await login(app, 'ana', 'ana password')).key
  const change = (key: string, body: object) => app.inject({ method: 'PUT', url: '/api/users/me/password', headers: bearer(key), payload: body })

  t.equal((await change(phone, { oldPassword: 'wrong password', newPassword: 'new password 1' })).statusCode, 403, 'the current password is needed')
  t.equal((await change(phone, { oldPassword: 'ana password', newPassword: 'short' })).statusCode, 400)
  const kept = await change(phone, { oldPassword: 'ana password', newPassword: 'new password 1', keepOtherKeys: true })
  t.same(kept.json(), { revokedKeys: 0 })
  t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(first) })).statusCode, 200, 'kept when asked')
  const changed = await change(phone, { oldPassword: 'new password 1', newPassword: 'new password 2' })
  t.same(changed.json(), { revokedKeys: 1 })
  t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(first) })).statusCode, 401, 'the other key is revoked')
  t.equal((await app.inject({ url: '/api/library/stats', headers: bearer(phone) })).statusCode, 200, 'the one that asked still works')
  t.equal((await login(app, 'ana', 'new password 2')).statusCode, 201)
})

t.test('ADMIN_USERNAME and ADMIN_PASSWORD make the first admin at start-up, once', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { env } = await testEnv(t, { backend: v.backend, env: { ADMIN_USERNAME: 'compose', ADMIN_PASSWORD: 'from the compose file' } })
    const app = await buildWithEnv(t, env)
    t.equal((await app.inject('/api/library/stats')).statusCode, 401, 'no open window after start-up')
    t.equal((await login(app, 'compose', 'from the compose file')).statusCode, 201)
    await app.close()
    const again = await buildWithEnv(t, { ...env, ADMIN_PASSWORD: 'a changed password' })
    t.equal((await login(again, 'compose', 'from the compose file')).statusCode, 201, 'a restart never overwrites the password')
    t.equal((await login(again, 'compose', 'a changed password')).statusCode, 401)
  })
})

t.test('password routes are rate limited per username and per address, with Retry-After', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  await firstAdmin(app)
  const attempt = (username: string, remoteAddress = '203.0.113.7') =>
    app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'guess guess' }, remoteAddress })
  // Setup counted against the name alone: no account had it yet.
  for (let i = 0; i < PASSWORD_LIMITS.perUsername.max; i++) t.equal((await attempt('ana', `198.51.100.${i}`)).statusCode, 401)
  const limited = await attempt('ana', '198.51.100.200')
  t.equal(limited.statusCode, 429, 'one username, many addresses: limited')
  t.ok(Number(limited.headers['retry-after']) > 0, `Retry-After: ${String(limited.headers['retry-after'])}`)
  t.match(limited.json(), { statusCode: 429, error: 'Too Many Requests' })
  t.equal((await login(app, 'ana', 'ana password')).statusCode, 429, 'even the right password waits: the guesser must not learn it')

  let status = 0
  for (let i = 0; i < PASSWORD_LIMITS.perAddress.max + 1 && status !== 429; i++) status = (await attempt(`user${i}`)).statusCode
  t.equal(status, 429, 'one address, many usernames: limited')
  t.equal((await attempt('someone', '192.0.2.1')).statusCode, 401, 'another address, another username: not limited')
})

t.test('no password or key reaches the log, at any level', async (t) => {
  const { env } = await testEnv(t, { env: { API_KEY: 'legacy-secret-key' } })
  const lines: string[] = []
  const app = await buildWithEnv(t, { ...env, LOG_LEVEL: 'trace' }, { rawLogs: lines })
  const secrets = ['legacy-secret-key', 'ana password', 'bo password', 'new bo password']
  const made = await app.inject({ method: 'POST', url: '/api/auth/setup', headers: bearer('legacy-secret-key'), payload: { username: 'ana', password: 'ana password' } })
  const ana = made.json().key as string
  secrets.push(ana)
  await app.inject({ method: 'POST', url: '/api/users', headers: bearer(ana), payload: { username: 'bo', password: 'bo password' } })
  const bo = (await login(app, 'bo', 'bo password')).key
  secrets.push(bo)
  await login(app, 'bo', 'new bo password')
  await app.inject({ url: `/api/library/tracks?api_key=${bo}` })
  await app.inject({ url: `/api/library/tracks?api%5Fkey=${bo}&x=1` })
  await app.inject({ url: '/api/nope', headers: bearer(bo) })
  await app.inject({ method: 'PUT', url: '/api/users/me/password', headers: bearer(bo), payload: { oldPassword: 'bo password', newPassword: 'new bo password' } })
  await app.inject({ method: 'POST', url: '/api/auth/login', payload: '{"username":"bo","password":"bo password"', headers: { 'content-type': 'application/json' } })
  t.ok(lines.length > 10, `${lines.length} log lines written`)
  for (const secret of secrets) {
    t.notOk(lines.some((l) => l.includes(secret)), `"${secret.slice(0, 6)}…" appears in no log line`)
  }
})

t.test('a name or password composed differently on another keyboard is the same', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  const composed = 'Jos\u00e9'
  const decomposed = 'Jose\u0301'
  const made = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { username: decomposed, password: `contrase${'\u00f1'}a segura` } })
  t.equal(made.statusCode, 201)
  t.equal(made.json().user.username, composed, 'kept in one form (NFC)')
  t.equal((await login(app, composed.toUpperCase(), `contrase${'n\u0303'}a segura`)).statusCode, 201, 'found by the other form, in another case, with the password typed the other way')
  const admin = made.json().key as string
  t.equal((await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: composed, password: 'another password' } })).statusCode, 409, 'not a second user')
  t.equal((await app.inject('/api/users/me')).statusCode, 401)
})
