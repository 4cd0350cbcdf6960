// Playlists with users (issue 12): each belongs to the user who made it; the owner sees and changes
// it, everyone else sees it only when it is public and never changes it. Another user's private
// playlist answers exactly as a playlist that does not exist.
import t from 'tap'
import type { OpenAPIV3 } from 'openapi-types'
import type { LightMyRequestResponse } from 'fastify'
import { build, eachVariant, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { addUser, type TestUser } from '../../fixtures/users.js'
import { ContractValidator } from '../../contract/validator.js'
import type { PlaylistT } from '../../../schemas/playlist.js'

const NO_SUCH_ID = '22222222-2222-4222-8222-222222222222'

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE'

function as (app: TestApp, user: TestUser) {
  return async (method: Method, url: string, body?: unknown): Promise<LightMyRequestResponse> => await app.inject({
    method,
    url,
    headers: body === undefined ? user.headers : { ...user.headers, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) })
  })
}

async function tracks (app: TestApp): Promise<[string, string, string]> {
  const seeded = await seedLibrary(app.pg, [
    { path: 'A/one.mp3', title: 'One', artist: 'Ann', album: 'First', duration: 60 },
    { path: 'A/two.mp3', title: 'Two', artist: 'Ann', album: 'First', duration: 60 },
    { path: 'B/three.mp3', title: 'Three', artist: 'Bob', album: 'Second', duration: 60 }
  ])
  return [...seeded.trackIds.values()] as [string, string, string]
}

// Every verb on one playlist, with bodies that are valid whoever asks.
function everyVerb (id: string, track: string): Array<[Method, string, unknown]> {
  return [
    ['GET', `/api/library/playlists/${id}`, undefined],
    ['GET', `/api/library/playlists/${id}.m3u8`, undefined],
    ['PATCH', `/api/library/playlists/${id}`, { name: 'Taken' }],
    ['PATCH', `/api/library/playlists/${id}`, { public: true }],
    ['PATCH', `/api/library/playlists/${id}`, { trackIds: [track] }],
    ['POST', `/api/library/playlists/${id}/tracks`, { trackIds: [track] }],
    ['DELETE', `/api/library/playlists/${id}/tracks`, { trackIds: [track] }],
    ['DELETE', `/api/library/playlists/${id}`, undefined]
  ]
}

const names = (list: PlaylistT[]): string[] => list.map((p) => p.name)

t.test('playlists have owners: private ones are invisible to others, public ones read-only', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const [one, two, three] = await tracks(app)
    const ana = await addUser(app.pg.pool, 'ana', 'admin')
    const bob = await addUser(app.pg.pool, 'bob', 'user')
    const asAna = as(app, ana)
    const asBob = as(app, bob)
    const validator = new ContractValidator((await asAna('GET', '/docs/json')).json() as OpenAPIV3.Document)
    const honoursContract = (method: Method, url: string, res: LightMyRequestResponse, what: string): void => {
      t.same(validator.check({ method, url, status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.body }), [],
        `${what}: the response is the documented one`)
    }

    const create = async (who: typeof asAna, body: Record<string, unknown>): Promise<PlaylistT> => {
      const res = await who('POST', '/api/library/playlists', body)
      t.equal(res.statusCode, 201, `${String(body.name)} created`)
      return res.json() as PlaylistT
    }
    const diary = await create(asAna, { name: 'Ana diary', trackIds: [one, two] })
    const shared = await create(asAna, { name: 'Ana shared', trackIds: [two, three], public: true, description: 'For all' })
    const bobs = await create(asBob, { name: 'Bob own', trackIds: [three] })
    t.match(diary, { owner: { id: ana.id, username: 'ana' }, public: false, trackIds: [one, two] }, 'private unless asked, owned by its maker')
    t.match(shared, { owner: { id: ana.id, username: 'ana' }, public: true })
    t.match(bobs, { owner: { id: bob.id, username: 'bob' }, public: false })

    const listOf = async (who: typeof asAna, query = ''): Promise<PlaylistT[]> =>
      ((await who('GET', `/api/library/playlists${query}`)).json() as { playlists: PlaylistT[] }).playlists
    t.same(names(await listOf(asAna)), ['Ana diary', 'Ana shared'], 'ana lists hers, not bob\'s private one')
    t.same(names(await listOf(asBob)), ['Ana shared', 'Bob own'], 'bob lists his and ana\'s public one')
    t.same(names(await listOf(asBob, '?type=MANUAL')), ['Ana shared', 'Bob own'], 'a type filter keeps to what the caller may see')

    // Another user's private playlist: every verb answers as for an id that does not exist.
    for (const [method, url, body] of everyVerb(diary.id, three)) {
      const res = await asBob(method, url, body)
      const nothing = await asBob(method, url.replace(diary.id, NO_SUCH_ID), body)
      t.equal(res.statusCode, 404, `bob ${method} ${url.replace(diary.id, '{ana private}')}: 404`)
      t.same(res.json(), { ...nothing.json(), message: (nothing.json() as { message: string }).message.replace(NO_SUCH_ID, diary.id) },
        '  the same answer as for a playlist that does not exist')
      honoursContract(method, url, res, `bob ${method} on ana's private playlist`)
    }
    t.same((await asAna('GET', `/api/library/playlists/${diary.id}`)).json(), diary, 'ana\'s private playlist is untouched')

    // Another user's public playlist: read and export, never change.
    t.same((await asBob('GET', `/api/library/playlists/${shared.id}`)).json(), shared, 'bob reads ana\'s public playlist')
    const exported = await asBob('GET', `/api/library/playlists/${shared.id}.m3u8`)
    t.equal(exported.statusCode, 200, 'and exports it')
    t.match(exported.body, /\nA\/two\.mp3\n#EXTINF[^\n]*\nB\/three\.mp3\n$/, 'with its tracks')
    for (const [method, url, body] of everyVerb(shared.id, one).filter(([m]) => m !== 'GET')) {
      const res = await asBob(method, url, body)
      t.equal(res.statusCode, 403, `bob ${method} ${url.replace(shared.id, '{ana public}')} ${JSON.stringify(body ?? '')}: 403`)
      t.match(res.json(), { statusCode: 403, error: 'Forbidden', code: 'PLAYLIST_NOT_OWNED', message: /only its owner can change it/ })
      honoursContract(method, url, res, `bob ${method} on ana's public playlist`)
    }
    t.same((await asAna('GET', `/api/library/playlists/${shared.id}`)).json(), shared, 'ana\'s public playlist is untouched')

    // An admin has no way into a user's private playlist either: playlists are people's.
    t.equal((await asAna('GET', `/api/library/playlists/${bobs.id}`)).statusCode, 404, 'an admin does not see a user\'s private playlist')
    t.equal((await asAna('DELETE', `/api/library/playlists/${bobs.id}`)).statusCode, 404, 'nor delete it')

    // The owner does everything.
    const renamed = await asAna('PATCH', `/api/library/playlists/${shared.id}`, { name: 'Ana mix', public: false })
    t.equal(renamed.statusCode, 200)
    t.match(renamed.json(), { name: 'Ana mix', public: false, owner: { id: ana.id } }, 'the owner renames it and makes it private')
    t.equal((await asBob('GET', `/api/library/playlists/${shared.id}`)).statusCode, 404, 'private again: bob no longer sees it')
    t.same(names(await listOf(asBob)), ['Bob own'], 'nor lists it')
    const reshared = await asAna('PATCH', `/api/library/playlists/${shared.id}`, { public: true })
    t.match(reshared.json(), { public: true, trackIds: [two, three] }, 'shared again, tracks kept')
    t.same((await asAna('POST', `/api/library/playlists/${shared.id}/tracks`, { trackIds: [one] })).json().trackIds, [two, three, one])
    t.same((await asAna('DELETE', `/api/library/playlists/${shared.id}/tracks`, { trackIds: [two] })).json().trackIds, [three, one])
    t.same((await asAna('PATCH', `/api/library/playlists/${shared.id}`, { trackIds: [one, three] })).json().trackIds, [one, three])
    t.same((await asBob('GET', `/api/library/playlists/${shared.id}`)).json().trackIds, [one, three], 'bob sees the owner\'s changes')
    const bobsPublic = await asBob('PATCH', `/api/library/playlists/${bobs.id}`, { public: true })
    t.match(bobsPublic.json(), { public: true, owner: { id: bob.id } }, 'a user shares their own playlist')
    t.equal((await asAna('PATCH', `/api/library/playlists/${bobs.id}`, { name: 'x' })).statusCode, 403, 'which an admin can read but not change')
    t.equal((await asAna('DELETE', `/api/library/playlists/${diary.id}`)).statusCode, 204, 'the owner deletes her private playlist')
    t.equal((await asAna('DELETE', `/api/library/playlists/${shared.id}`)).statusCode, 204, 'and her public one')
    t.same(names(await listOf(asBob)), ['Bob own'], 'gone for everyone')
    t.same(names(await listOf(asAna)), ['Bob own'])
  })
})

t.test('deleting a user deletes their playlists and only theirs', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const [one, two] = await tracks(app)
    const ana = await addUser(app.pg.pool, 'ana', 'admin')
    const bob = await addUser(app.pg.pool, 'bob', 'user')
    const asAna = as(app, ana)
    const asBob = as(app, bob)
    const kept = (await asAna('POST', '/api/library/playlists', { name: 'Kept', trackIds: [one] })).json() as PlaylistT
    const mine = (await asBob('POST', '/api/library/playlists', { name: 'Bob private', trackIds: [one, two] })).json() as PlaylistT
    const shared = (await asBob('POST', '/api/library/playlists', { name: 'Bob public', trackIds: [two], public: true })).json() as PlaylistT
    t.equal((await asAna('GET', `/api/library/playlists/${shared.id}`)).statusCode, 200, 'ana sees bob\'s public playlist while he exists')

    t.equal((await asAna('DELETE', `/api/users/${bob.id}`)).statusCode, 204, 'an admin deletes bob')
    const count = async (sql: string, values: unknown[]): Promise<number> =>
      (await app.pg.query<{ n: number }>(sql, values)).rows[0].n
    t.equal(await count('SELECT count(*)::int AS n FROM playlists WHERE owner_id = $1', [bob.id]), 0, 'his playlists are gone')
    t.equal(await count('SELECT count(*)::int AS n FROM playlist_entries WHERE playlist_id = ANY($1::uuid[])', [[mine.id, shared.id]]), 0,
      'with their entries')
    t.equal((await asAna('GET', `/api/library/playlists/${shared.id}`)).statusCode, 404, 'his public playlist is gone for everyone')
    t.same(((await asAna('GET', '/api/library/playlists')).json() as { playlists: PlaylistT[] }).playlists, [kept], 'ana\'s playlist is kept')
  })
})
