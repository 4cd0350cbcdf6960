// What an outside attack on users and keys found, each kept from coming back (the revocation
// race is in test/lib/users/key-trust.test.ts, where the database's answer can be held back).
import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import { buildWithEnv, eachVariant, tempDir, testEnv, type TestApp } from '../../helper.js'
import { PASSWORD_LIMITS } from '../../../plugins/rate-limit.js'

const bearer = (key: string): { authorization: string } => ({ authorization: `Bearer ${key}` })

async function setup (app: TestApp, username = 'ana', headers: Record<string, string> = {}): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/setup', headers, payload: { username, password: `${username} password` } })
  return res.json().key as string
}

async function addAndLogin (app: TestApp, admin: string, username: string, role = 'user'): Promise<{ id: string, key: string }> {
  const made = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin), payload: { username, password: `${username} password`, role } })
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: `${username} password` } })
  return { id: made.json().id, key: login.json().key }
}

// A scanned one-track library and its first admin: what the state tests start from.
async function oneTrackLibrary (t: Parameters<typeof tempDir>[0], backend: 'pglite' | 'postgres') {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'A'), 'mp3', { tags: { title: 'T', artist: 'A', album: 'A' } })
  const s = await buildScanApp(t, { backend, mediaPath: media })
  await scan(s.app)
  const admin = await setup(s.app)
  const track = (await s.app.inject({ url: '/api/library/tracks', headers: bearer(admin) })).json().tracks[0].id as string
  return { s, admin, track }
}

t.test('every spelling the database accepts for a name counts against the one account', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    await setup(app, 'ivan')
    const attempt = (username: string, password: string, i: number) =>
      app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress: `198.51.100.${i}` })
    // Setup counted against the name alone: no account had it yet.
    for (let i = 0; i < PASSWORD_LIMITS.perUsername.max; i++) await attempt('ivan', 'a wrong guess', i)
    t.equal((await attempt('ivan', 'ivan password', 100)).statusCode, 429, 'the account is limited')
    // JavaScript lower-cases İ to "i̇", PostgreSQL to "i": the database decides which account it is.
    const dotted = await attempt('\u0130VAN', 'ivan password', 101)
    t.equal(dotted.statusCode, 429, `"İVAN" is limited with it (${dotted.statusCode})`)
  })
})

t.test('users are made only once the first admin exists', async (t) => {
  const open = await buildWithEnv(t, (await testEnv(t)).env)
  const early = await open.inject({ method: 'POST', url: '/api/users', payload: { username: 'eve', password: 'eve password', role: 'admin' } })
  t.equal(early.statusCode, 409, 'an open service does not let anyone make users')
  t.match(early.json().message, /POST \/api\/auth\/setup/)
  t.equal((await open.inject('/api/library/stats')).statusCode, 200, 'and stays open')

  const keyed = await buildWithEnv(t, (await testEnv(t, { env: { API_KEY: 'shared' } })).env)
  t.equal((await keyed.inject({ method: 'POST', url: '/api/users', headers: bearer('shared'), payload: { username: 'bo', password: 'bo password' } })).statusCode, 409,
    'nor does the shared key before setup: the server would have users and no admin')
  await setup(keyed, 'ana', bearer('shared'))
  t.equal((await keyed.inject({ method: 'POST', url: '/api/users', headers: bearer('shared'), payload: { username: 'bo', password: 'bo password' } })).statusCode, 201)
})

t.test('admin changes run one at a time: a promotion, a demotion and a deletion at once leave an admin', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const app = await buildWithEnv(t, (await testEnv(t, { backend: v.backend })).env)
    const ana = await setup(app)
    const anaId = (await app.inject({ url: '/api/users/me', headers: bearer(ana) })).json().id as string
    for (let round = 0; round < 5; round++) {
      const x = await addAndLogin(app, ana, `x${round}`)
      await app.inject({ method: 'PATCH', url: `/api/users/${anaId}`, headers: bearer(ana), payload: { role: 'admin' } })
      await Promise.all([
        app.inject({ method: 'PATCH', url: `/api/users/${x.id}`, headers: bearer(ana), payload: { role: 'admin' } }),
        app.inject({ method: 'PATCH', url: `/api/users/${anaId}`, headers: bearer(ana), payload: { role: 'user' } }),
        app.inject({ method: 'DELETE', url: `/api/users/${x.id}`, headers: bearer(ana) })
      ])
      const { rows } = await app.pg.query<{ n: number }>("SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND username IS NOT NULL")
      t.ok(rows[0].n >= 1, `round ${round}: ${rows[0].n} admin(s) left`)
      if (rows[0].n === 0) break
      // Put Ana back as the admin for the next round, whoever is one now.
      await app.pg.query("UPDATE users SET role = 'admin' WHERE id = $1", [anaId])
    }
  })
})

t.test('a worker key stops working when the admin who made it is demoted', async (t) => {
  const app = await buildWithEnv(t, (await testEnv(t)).env)
  const ana = await setup(app)
  const bo = await addAndLogin(app, ana, 'bo', 'admin')
  const worker = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(bo.key), payload: { name: 'w', role: 'worker' } })).json().key as string
  const analysis = () => app.inject({ method: 'PUT', url: '/api/library/tracks/0c1d2e3f-0000-4000-8000-000000000001/analysis', headers: bearer(worker), payload: { bpm: 1 } })
  t.equal((await analysis()).statusCode, 404, 'past the key check while Bo is an admin')
  await app.inject({ method: 'PATCH', url: `/api/users/${bo.id}`, headers: bearer(ana), payload: { role: 'user' } })
  t.equal((await analysis()).statusCode, 401, 'refused once Bo is not')
})

t.test('a write by a user deleted while their key is still trusted is a 401, not a 500', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { s, admin, track } = await oneTrackLibrary(t, v.backend)
    const carol = await addAndLogin(s.app, admin, 'carol')
    // This process now trusts carol's key for a second.
    await s.app.inject({ url: `/api/library/tracks/${track}`, headers: bearer(carol.key) })
    // Deleted behind this process's back, as another process sharing the database would.
    await s.pg.query('DELETE FROM users WHERE id = $1', [carol.id])
    const writes = [
      await s.app.inject({ method: 'PATCH', url: `/api/library/tracks/${track}`, headers: bearer(carol.key), payload: { isFavorite: true } }),
      await s.app.inject({ method: 'POST', url: `/api/library/tracks/${track}/played`, headers: bearer(carol.key) }),
      await s.app.inject({ method: 'POST', url: '/api/library/playlists', headers: bearer(carol.key), payload: { name: 'x', type: 'MANUAL', trackIds: [] } }),
      await s.app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(carol.key), payload: { name: 'x' } })
    ]
    for (const res of writes) {
      t.equal(res.statusCode, 401, `${res.statusCode} ${res.body.slice(0, 80)}`)
      t.match(res.json(), { message: 'This account no longer exists' })
    }
  })
})

t.test('deleting the admin who owns the imported playlists leaves them to another admin', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'A'), 'mp3', { name: 'song', tags: { title: 'Song', artist: 'A', album: 'A' } })
  await writeFile(join(media, 'Mix.m3u8'), '#EXTM3U\nA/song.mp3\n')
  const s = await buildScanApp(t, { mediaPath: media })
  const ana = await setup(s.app)
  await scan(s.app, bearer(ana))
  const bo = await addAndLogin(s.app, ana, 'bo', 'admin')
  const mine = (await s.app.inject({ method: 'POST', url: '/api/library/playlists', headers: bearer(ana), payload: { name: 'Ana private', type: 'MANUAL', trackIds: [] } })).json().id as string
  const anaId = (await s.app.inject({ url: '/api/users/me', headers: bearer(ana) })).json().id as string
  t.equal((await s.app.inject({ method: 'DELETE', url: `/api/users/${anaId}`, headers: bearer(bo.key) })).statusCode, 204)
  const lists = (await s.app.inject({ url: '/api/library/playlists', headers: bearer(bo.key) })).json().playlists as Array<{ id: string, name: string, owner: { id: string }, public: boolean }>
  t.match(lists, [{ name: 'Mix', public: true, owner: { id: bo.id } }], 'the imported playlist stays, now the other admin\'s')
  t.notOk(lists.some((p) => p.id === mine), 'Ana\'s own playlist went with her')
  await scan(s.app, bearer(bo.key))
  t.equal((await s.app.inject({ url: '/api/library/playlists', headers: bearer(bo.key) })).json().playlists.length, 1, 'and a rescan neither doubles nor drops it')
})

t.test('only a write that changes someone\'s state moves the library version (and so empties caches)', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { s, admin, track } = await oneTrackLibrary(t, v.backend)
    const patch = async (id: string, payload: object): Promise<number> =>
      (await s.app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, headers: bearer(admin), payload })).statusCode
    const moves = async (what: string, write: () => Promise<unknown>, expected: boolean): Promise<void> => {
      const before = await s.app.library.version()
      await write()
      t.equal((await s.app.library.version()) !== before, expected, `${what}: ${expected ? 'moves' : 'does not move'} the version`)
    }
    await moves('a new favourite', async () => await patch(track, { isFavorite: true }), true)
    await moves('the same favourite again', async () => await patch(track, { isFavorite: true }), false)
    await moves('a track that does not exist', async () => await patch('0c1d2e3f-0000-4000-8000-000000000001', { rating: 3 }), false)
    await moves('a rating', async () => await patch(track, { rating: 3 }), true)
    await moves('the same rating and favourite', async () => await patch(track, { rating: 3, isFavorite: true }), false)
    await moves('a play', async () => await s.app.inject({ method: 'POST', url: `/api/library/tracks/${track}/played`, headers: bearer(admin) }), true)
    t.match((await s.app.inject({ url: `/api/library/tracks/${track}`, headers: bearer(admin) })).json(), { isFavorite: true, rating: 3, playCount: 1 })
  })
})
