// An admin's cap on what one user streams (users.max_bitrate, sql/015): set and cleared by admins
// only, refused outside 32-320 kbps or when not a whole number, and carried on the user's Caller.
import t from 'tap'
import { buildWithEnv, eachVariant, testEnv, type TestApp } from '../../helper.js'
import { KEY_TRUST_MS } from '../../../lib/users/user-service.js'
import { addUser } from '../../fixtures/users.js'

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function ana (app: TestApp): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/setup', payload: { username: 'ana', password: 'ana password' } })
  return res.json().key as string
}

async function login (app: TestApp, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })
  return res.json().key as string
}

t.test('admins set and clear a user\'s cap; anything but a whole 32-320 or null is refused and changes nothing', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    const admin = await ana(app)
    const made = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })
    t.equal(made.json().maxBitrate, null, 'no cap unless asked')
    const boId = made.json().id as string
    const bo = await login(app, 'bo', 'bo password')
    const patch = (key: string, body: unknown) =>
      app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: { ...bearer(key), 'content-type': 'application/json' }, payload: JSON.stringify(body) })
    const stored = async (): Promise<number | null> => (await app.inject({ url: `/api/users/${boId}`, headers: bearer(admin) })).json().maxBitrate

    const set = await patch(admin, { maxBitrate: 96 })
    t.equal(set.statusCode, 200)
    t.equal(set.json().maxBitrate, 96)
    t.equal(await stored(), 96)
    const me = await app.inject({ url: '/api/users/me', headers: bearer(bo) })
    t.match(me.json(), { username: 'bo', maxBitrate: 96 }, 'the user sees their cap')

    for (const bad of [31, 321, 128.5, '128', 0, -1, true, {}]) {
      const res = await patch(admin, { maxBitrate: bad })
      t.equal(res.statusCode, 400, `refused: ${JSON.stringify(bad)}`)
      t.equal(await stored(), 96, 'and nothing changed')
    }
    t.equal((await patch(admin, { maxBitrate: 96, colour: 'red' })).statusCode, 400, 'an unknown field with it is refused too')

    for (const edge of [32, 320]) t.equal((await patch(admin, { maxBitrate: edge })).json().maxBitrate, edge, `${edge} is allowed`)

    t.equal((await patch(bo, { maxBitrate: null })).statusCode, 403, 'a user cannot lift their own cap')
    t.equal((await patch(bo, { maxBitrate: 320 })).statusCode, 403, 'nor raise it')
    t.equal(await stored(), 320)
    t.equal((await app.inject({ method: 'PATCH', url: '/api/users/me', headers: bearer(bo), payload: { maxBitrate: null } })).statusCode, 403,
      'there is no /me write for it: that is the admins\' route')

    const renamed = await patch(admin, { displayName: 'Bo B.' })
    t.equal(renamed.json().maxBitrate, 320, 'a patch without it leaves it alone')
    const cleared = await patch(admin, { maxBitrate: null })
    t.equal(cleared.statusCode, 200)
    t.equal(cleared.json().maxBitrate, null, 'null clears it')
    t.equal(await stored(), null)

    const capped = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'cy', password: 'cy password', maxBitrate: 64 } })
    t.equal(capped.statusCode, 201)
    t.equal(capped.json().maxBitrate, 64, 'a new user can be made with a cap')
    for (const bad of [31, 321, 128.5, '128']) {
      const res = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'dee', password: 'dee password', maxBitrate: bad } })
      t.equal(res.statusCode, 400, `a new user with ${JSON.stringify(bad)} is refused`)
    }
    t.notOk((await app.inject({ url: '/api/users', headers: bearer(admin) })).json().users.some((u: { username: string }) => u.username === 'dee'), 'and not made')
  })
})

t.test('the cap reaches the user\'s Caller: at once in this process, within the key trust period from another', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    const admin = await ana(app)
    const boId = (await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username: 'bo', password: 'bo password' } })).json().id as string
    const bo = await login(app, 'bo', 'bo password')

    t.match(await app.users.callerFor(bo), { userId: boId, role: 'user', maxBitrate: null })
    await app.inject({ method: 'PATCH', url: `/api/users/${boId}`, headers: bearer(admin), payload: { maxBitrate: 128 } })
    t.match(await app.users.callerFor(bo), { maxBitrate: 128 }, 'the process that changed it sees it at once')
    t.match(await app.users.appCaller('bo', bo), { maxBitrate: 128 }, 'so does a Subsonic app key')

    // Another process sharing the database changes it: this one may trust its copy a while longer.
    await app.pg.query('UPDATE users SET max_bitrate = 64 WHERE id = $1', [boId])
    await sleep(KEY_TRUST_MS + 100)
    t.match(await app.users.callerFor(bo), { maxBitrate: 64 }, 'after KEY_TRUST_MS it is read again')
    t.match(await app.users.callerFor(admin), { role: 'admin', maxBitrate: null }, 'other users are not capped')
  })
})

t.test('the shared API_KEY obeys the cap of the admin it acts as; an open service has none', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const open = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    t.match(await open.users.callerFor(null), { role: 'admin', keyId: null, maxBitrate: null }, 'open service: the owner, uncapped')

    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend, env: { API_KEY: 'legacy-secret-key' } })).env)
    t.match(await app.users.callerFor('legacy-secret-key'), { role: 'admin', maxBitrate: null })
    const first = await addUser(app.pg.pool, 'ana', 'admin')
    await app.inject({ method: 'PATCH', url: `/api/users/${first.id}`, headers: bearer(first.key), payload: { maxBitrate: 192 } })
    t.match(await app.users.callerFor('legacy-secret-key'), { userId: first.id, role: 'admin', maxBitrate: 192 }, 'the admin it acts as is capped')
  })
})
