// Favourites, ratings and plays are each user's own (sql/011): every track the API returns shows
// the caller's, lists sort and filter by the caller's, and no cache hands one user's to another.
import t, { type Test } from 'tap'
import { build, eachVariant, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { addUser, type TestUser } from '../../fixtures/users.js'
import type { TrackT } from '../../../schemas/library.js'

const LIST = '/api/library/tracks?sort=title&limit=500'

interface Two { app: TestApp, ana: TestUser, ben: TestUser, tracks: TrackT[] }

async function twoUsers (t: Test, backend: 'pglite' | 'postgres'): Promise<Two> {
  const app = await build(t, { backend })
  await seedLibrary(app.pg, sampleTracks())
  const ana = await addUser(app.pg, 'ana', 'admin')
  const ben = await addUser(app.pg, 'ben')
  const tracks = (await app.inject({ url: LIST, headers: ana.headers })).json().tracks as TrackT[]
  return { app, ana, ben, tracks }
}

const patch = async (app: TestApp, user: TestUser, id: string, payload: object): Promise<TrackT> => {
  const res = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, headers: user.headers, payload })
  if (res.statusCode !== 200) throw new Error(`PATCH answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

const play = async (app: TestApp, user: TestUser, id: string): Promise<TrackT> => {
  const res = await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played`, headers: user.headers })
  if (res.statusCode !== 200) throw new Error(`played answered ${res.statusCode}: ${res.body}`)
  return res.json()
}

const get = async (app: TestApp, user: TestUser, url: string): Promise<{ status: number, body: string, etag: string, json: any }> => {
  const res = await app.inject({ url, headers: user.headers })
  return { status: res.statusCode, body: res.body, etag: res.headers.etag as string, json: res.statusCode === 200 ? res.json() : undefined }
}

const stateOf = (track: TrackT | undefined) =>
  track === undefined ? undefined : { isFavorite: track.isFavorite, rating: track.rating, playCount: track.playCount, played: track.lastPlayed !== null }

t.test('each user sees only their own favourites, ratings and plays, wherever a track shows', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, ana, ben, tracks } = await twoUsers(t, v.backend)
    const track = tracks.find((x) => x.title.startsWith('Hoppípolla')) as TrackT

    t.match(await patch(app, ana, track.id, { isFavorite: true, rating: 5 }), { isFavorite: true, rating: 5, playCount: 0 }, 'PATCH answers with the caller\'s state')
    await play(app, ana, track.id)
    t.match(await play(app, ana, track.id), { playCount: 2 }, 'plays add up per user')
    t.match(await patch(app, ben, track.id, { rating: 2 }), { isFavorite: false, rating: 2, playCount: 0 }, 'Ben starts from nothing, not from Ana\'s')
    t.match(await play(app, ben, track.id), { isFavorite: false, rating: 2, playCount: 1 })

    const expected = new Map([
      [ana, { isFavorite: true, rating: 5, playCount: 2, played: true }],
      [ben, { isFavorite: false, rating: 2, playCount: 1, played: true }]
    ])
    const find = (list: TrackT[]): TrackT | undefined => list.find((x) => x.id === track.id)
    for (const [user, state] of expected) {
      const surfaces: Array<[string, (json: any) => TrackT | undefined]> = [
        [`/api/library/tracks/${track.id}`, (json) => json],
        [LIST, (json) => find(json.tracks)],
        ['/api/library/tracks?limit=-1', (json) => find(json.tracks)],
        [`/api/library/tracks?albumId=${track.albumId}`, (json) => find(json.tracks)],
        [`/api/library/albums/${track.albumId}/tracks`, (json) => find(json.tracks)],
        [`/api/library/albums/${track.albumId}/tracks?limit=-1`, (json) => find(json.tracks)],
        [`/api/library/artists/${track.artistId}/tracks`, (json) => find(json.tracks)],
        [`/api/library/artists/${track.artistId}/tracks?limit=-1`, (json) => find(json.tracks)],
        [`/api/library/search?q=${encodeURIComponent(track.title)}`, (json) => find(json.tracks)]
      ]
      for (const [url, pick] of surfaces) {
        const res = await get(app, user, url)
        t.equal(res.status, 200, `${user.username}: ${url}`)
        t.same(stateOf(pick(res.json)), state, `${user.username} sees their own state: ${url}`)
        // The second request is answered from the response cache or the whole-list file.
        t.same(stateOf(pick((await get(app, user, url)).json)), state, `${user.username}, again (cached): ${url}`)
      }
    }
    const other = tracks.find((x) => x.id !== track.id) as TrackT
    t.same(stateOf((await get(app, ana, `/api/library/tracks/${other.id}`)).json), { isFavorite: false, rating: null, playCount: 0, played: false },
      'a track no one touched shows nothing')
  })
})

t.test('the same URL asked by two users gets two bodies; one user\'s change leaves the other\'s as it was', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, ana, ben, tracks } = await twoUsers(t, v.backend)
    const [first, second] = tracks
    await patch(app, ben, first.id, { isFavorite: true })
    for (const url of [LIST, '/api/library/tracks?limit=-1']) {
      const anaBefore = await get(app, ana, url)
      const benBefore = await get(app, ben, url)
      t.not(anaBefore.body, benBefore.body, `${url}: two bodies`)
      t.not(anaBefore.etag, benBefore.etag, 'with two ETags')
      t.equal(benBefore.json.tracks[0].isFavorite, true)
      t.equal(anaBefore.json.tracks[0].isFavorite, false)
      // Each one's ETag is current for them alone.
      t.equal((await app.inject({ url, headers: { ...ben.headers, 'if-none-match': benBefore.etag } })).statusCode, 304, 'Ben\'s body is stored')
      t.equal((await app.inject({ url, headers: { ...ana.headers, 'if-none-match': benBefore.etag } })).statusCode, 200, 'and is not Ana\'s')
    }

    await patch(app, ana, second.id, { isFavorite: true })
    for (const url of [LIST, '/api/library/tracks?limit=-1']) {
      // Ana asks first, so a cache keyed by URL alone would now hold her body for Ben too.
      const anaAfter = await get(app, ana, url)
      t.equal(anaAfter.json.tracks[1].isFavorite, true, `${url}: Ana's shows her new favourite`)
      const benAfter = await get(app, ben, url)
      t.equal(benAfter.json.tracks[1].isFavorite, false, 'Ben\'s does not')
      t.equal(benAfter.json.tracks[0].isFavorite, true, 'and still shows his own')
      const benCached = await get(app, ben, url)
      t.equal(benCached.body, benAfter.body, 'Ben\'s stored body is his')
    }
    const benList = await get(app, ben, LIST)
    t.equal((await app.inject({ url: LIST, headers: { ...ben.headers, 'if-none-match': benList.etag } })).statusCode, 304,
      'Ben\'s ETag from before Ana\'s change is still current: his response did not change')
  })
})

t.test('sort=playCount, sort=lastPlayed and favorite= use the caller\'s own state', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, ana, ben, tracks } = await twoUsers(t, v.backend)
    const [a, b, c, d] = tracks.map((x) => x.id)
    for (let i = 0; i < 3; i++) await play(app, ana, a)
    await new Promise((resolve) => setTimeout(resolve, 5))
    // b and c tie on plays: the id breaks the tie; c is Ana's latest play.
    await play(app, ana, b)
    await new Promise((resolve) => setTimeout(resolve, 5))
    await play(app, ana, c)
    await patch(app, ana, b, { isFavorite: true })
    for (let i = 0; i < 5; i++) await play(app, ben, d)
    await patch(app, ben, a, { isFavorite: true })
    await patch(app, ben, d, { isFavorite: true })

    const ids = async (user: TestUser, query: string): Promise<string[]> => {
      const res = await get(app, user, `/api/library/tracks?limit=500&${query}`)
      t.equal(res.status, 200, query)
      return (res.json.tracks as TrackT[]).map((x) => x.id)
    }
    const tie = [b, c].sort().reverse()
    t.same((await ids(ana, 'sort=playCount&order=desc')).slice(0, 3), [a, ...tie], 'Ana\'s most played first, a tie by id')
    t.same((await ids(ben, 'sort=playCount&order=desc'))[0], d, 'Ben\'s most played first')
    t.same((await ids(ana, 'sort=lastPlayed&order=desc')).slice(0, 3), [c, b, a], 'Ana\'s most recent play first')
    t.same((await ids(ben, 'sort=lastPlayed&order=desc')).slice(0, 1), [d])
    for (const user of [ana, ben]) {
      for (const sort of ['playCount', 'lastPlayed']) {
        const asc = await ids(user, `sort=${sort}&order=asc`)
        t.equal(asc.length, tracks.length)
        t.same(await ids(user, `sort=${sort}&order=desc`), [...asc].reverse(), `${user.username}: ${sort} desc is the exact reverse of asc`)
        t.same(await ids(user, `sort=${sort}`), asc, 'asc by default')
        const whole = (await get(app, user, `/api/library/tracks?sort=${sort}&order=desc&limit=-1`)).json.tracks.map((x: TrackT) => x.id)
        t.same(whole, [...asc].reverse(), 'the whole list in the same order')
        const paged: string[] = []
        for (let offset = 0; offset < tracks.length; offset += 7) {
          paged.push(...(await get(app, user, `/api/library/tracks?sort=${sort}&order=desc&limit=7&offset=${offset}`)).json.tracks.map((x: TrackT) => x.id))
        }
        t.same(paged, whole, 'and page by page')
      }
    }

    t.same(await ids(ana, 'favorite=true'), [b], 'Ana\'s favourites')
    t.same((await ids(ben, 'favorite=true')).sort(), [a, d].sort(), 'Ben\'s favourites')
    const anaOthers = await ids(ana, 'favorite=false')
    t.equal(anaOthers.length, tracks.length - 1, 'favorite=false: the rest')
    t.notOk(anaOthers.includes(b))
    t.ok(anaOthers.includes(a), 'Ben\'s favourite is not Ana\'s')
    const favourites = await get(app, ben, '/api/library/tracks?favorite=true&sort=playCount&order=desc&limit=1')
    t.match(favourites.json, { total: 2, tracks: [{ id: d, isFavorite: true, playCount: 5 }] }, 'filter and sort combine')
    t.same((await get(app, ben, '/api/library/tracks?favorite=true&limit=-1')).json.tracks.map((x: TrackT) => x.id).sort(), [a, d].sort(),
      'the whole list filters alike')
    t.equal((await get(app, ana, '/api/library/tracks?favorite=maybe')).status, 400, 'favorite takes true or false')
  })
})

t.test('state is written only for tracks in the library, and only the caller\'s', async (t) => {
  const { app, ana, ben, tracks } = await twoUsers(t, 'pglite')
  const ghost = '11111111-1111-4111-8111-111111111111'
  t.equal((await app.inject({ method: 'PATCH', url: `/api/library/tracks/${ghost}`, headers: ana.headers, payload: { isFavorite: true } })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: `/api/library/tracks/${ghost}/played`, headers: ana.headers })).statusCode, 404)
  await patch(app, ben, tracks[0].id, { rating: 3 })
  const { rows } = await app.pg.query('SELECT user_id, track_id, rating FROM user_track_state')
  t.same(rows, [{ user_id: ben.id, track_id: tracks[0].id, rating: 3 }], 'one row: Ben\'s, for the real track')

  // A removed user's state goes with them.
  await app.pg.query('DELETE FROM users WHERE id = $1', [ben.id])
  t.equal((await app.pg.query('SELECT 1 FROM user_track_state')).rows.length, 0)
})
