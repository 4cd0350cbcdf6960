// Every way an app may log in over /rest, right and wrong, and what each gets: the OpenSubsonic
// codes, always in an envelope with HTTP 200, over GET and form POST alike.
import t from 'tap'
import SubsonicAPI from 'subsonic-api'
import { addKey, addUser } from '../../fixtures/users.js'
import { appPasswordClient, BASE_URL, injectFetch, subsonicLibrary } from '../../fixtures/subsonic.js'

const hex = (text: string): string => Buffer.from(text).toString('hex')
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`

t.test('the login matrix', async (t) => {
  const lib = await subsonicLibrary(t)
  const ana = lib.admin
  const bo = await addUser(lib.pg, 'bo', 'user')
  const worker = await addKey(lib.pg, ana.id, 'worker')

  type Case = [string, Record<string, string>, number | 'ok', Record<string, string>?]
  const cases: Case[] = [
    ['apiKey', { apiKey: ana.key }, 'ok'],
    ['an unknown apiKey', { apiKey: 'snt_nope' }, 44],
    ['an empty apiKey', { apiKey: '' }, 44],
    ['apiKey with u', { apiKey: ana.key, u: 'ana' }, 43],
    ['apiKey with p', { apiKey: ana.key, p: ana.key }, 43],
    ['apiKey with t and s', { apiKey: ana.key, t: 'a', s: 'b' }, 43],
    ['apiKey with Basic', { apiKey: ana.key }, 43, { authorization: basic('ana', ana.key) }],
    ['u + p (an app key)', { u: 'ana', p: ana.key }, 'ok'],
    ['u + p as enc: hex', { u: 'ana', p: `enc:${hex(ana.key)}` }, 'ok'],
    ['u + p as ENC: upper-case hex', { u: 'ana', p: `ENC:${hex(ana.key).toUpperCase()}` }, 'ok'],
    ['u in another case', { u: 'ANA', p: ana.key }, 'ok'],
    ['u + the account password', { u: 'ana', p: ana.password }, 40],
    ['u + the account password as hex', { u: 'ana', p: `enc:${hex(ana.password)}` }, 40],
    ['u + another user\'s key', { u: 'ana', p: bo.key }, 40],
    ['an unknown u', { u: 'nobody', p: ana.key }, 40],
    ['u + malformed enc:', { u: 'ana', p: 'enc:zz1' }, 40],
    ['u + t + s', { u: 'ana', t: '26719a1196d2a940705a59634eb18eab', s: 'c19b2d' }, 41],
    ['u + p + t + s', { u: 'ana', p: ana.key, t: 'a', s: 'b' }, 43],
    ['nothing', {}, 10],
    ['u alone', { u: 'ana' }, 10],
    ['p alone', { p: ana.key }, 10],
    ['Basic with an app key', {}, 'ok', { authorization: basic('ana', ana.key) }],
    ['Basic with the password', {}, 40, { authorization: basic('ana', ana.password) }],
    ['Basic with the same u', { u: 'ana' }, 'ok', { authorization: basic('ana', ana.key) }],
    ['Basic with another u', { u: 'bo' }, 43, { authorization: basic('ana', ana.key) }],
    ['Basic with p', { p: ana.key }, 43, { authorization: basic('ana', ana.key) }],
    ['a worker key', { apiKey: worker }, 50],
    ['a worker key as app password', { u: 'ana', p: worker }, 50]
  ]
  for (const [name, query, expected, headers] of cases) {
    for (const how of ['GET', 'POST'] as const) {
      const form = how === 'POST' ? new URLSearchParams({ ...query, f: 'json' }).toString() : undefined
      const res = how === 'GET'
        ? await lib.raw('getUser', { ...query, username: 'ana', f: 'json' }, { headers })
        : await lib.raw('getUser', { username: 'ana' }, { method: 'POST', form, headers })
      t.equal(res.status, 200, `${name} (${how}): HTTP 200`)
      const body = JSON.parse(res.body)['subsonic-response']
      if (expected === 'ok') {
        t.equal(body.status, 'ok', `${name} (${how}) is let in`)
        t.equal(body.user?.username, 'ana', `${name} (${how}): as ana`)
      } else {
        t.match(body, { status: 'failed', openSubsonic: true, version: '1.16.1', error: { code: expected } }, `${name} (${how}) → ${expected}`)
      }
    }
  }
})

t.test('the token login points at how to log in instead', async (t) => {
  const lib = await subsonicLibrary(t)
  const app = new SubsonicAPI({ url: BASE_URL, auth: { username: 'ana', password: lib.admin.password }, fetch: injectFetch(lib.app) })
  const answer = await app.ping()
  t.match(answer, { status: 'failed', error: { code: 41 } })
  const helpUrl = (answer as { error: { helpUrl: string } }).error.helpUrl
  const help = await lib.app.inject(new URL(helpUrl).pathname)
  t.equal(help.statusCode, 200, 'the help page needs no key')
  t.match(help.body, /app key/)
  t.match(help.body, /\/api\/auth\/keys/)
})

t.test('app keys through subsonic-api: legacy u+p apps and apiKey apps, GET and POST', async (t) => {
  const lib = await subsonicLibrary(t)
  for (const post of [false, true]) {
    t.match(await appPasswordClient(lib.app, 'ana', lib.admin.key, post).ping(), { status: 'ok' }, `u+p (post ${post})`)
    t.match(await appPasswordClient(lib.app, 'ana', lib.admin.password, post).ping(), { status: 'failed', error: { code: 40 } }, `never the password (post ${post})`)
  }
})

t.test('a revoked key stops working at once', async (t) => {
  const lib = await subsonicLibrary(t)
  const key = await lib.app.inject({ method: 'POST', url: '/api/auth/keys', headers: lib.admin.headers, payload: { name: 'phone' } })
  const { key: secret, apiKey } = key.json() as { key: string, apiKey: { id: string } }
  t.match(JSON.parse((await lib.raw('ping', { apiKey: secret, f: 'json' })).body), { 'subsonic-response': { status: 'ok' } })
  t.equal((await lib.app.inject({ method: 'DELETE', url: `/api/auth/keys/${apiKey.id}`, headers: lib.admin.headers })).statusCode, 204)
  t.match(JSON.parse((await lib.raw('ping', { apiKey: secret, f: 'json' })).body), { 'subsonic-response': { error: { code: 44 } } })
  t.match(JSON.parse((await lib.raw('ping', { u: 'ana', p: secret, f: 'json' })).body), { 'subsonic-response': { error: { code: 40 } } })
})

t.test('admin methods need an admin; extensions need no login', async (t) => {
  const lib = await subsonicLibrary(t)
  const bo = await addUser(lib.pg, 'bo', 'user')
  t.match(JSON.parse((await lib.raw('startScan', { apiKey: bo.key, f: 'json' })).body), { 'subsonic-response': { error: { code: 50 } } })
  t.match(JSON.parse((await lib.raw('getUser', { apiKey: bo.key, username: 'ana', f: 'json' })).body), { 'subsonic-response': { error: { code: 50 } } })
  t.match(JSON.parse((await lib.raw('getUser', { apiKey: bo.key, username: 'bo', f: 'json' })).body), { 'subsonic-response': { user: { username: 'bo', adminRole: false } } })
  t.match(JSON.parse((await lib.raw('getUser', { apiKey: ana(lib), username: 'bo', f: 'json' })).body), { 'subsonic-response': { user: { username: 'bo' } } })
  t.match(JSON.parse((await lib.raw('getUser', { apiKey: ana(lib), username: 'zed', f: 'json' })).body), { 'subsonic-response': { error: { code: 70 } } })
  t.match(JSON.parse((await lib.raw('getOpenSubsonicExtensions', { f: 'json' })).body), { 'subsonic-response': { status: 'ok' } })
})

const ana = (lib: { admin: { key: string } }): string => lib.admin.key
