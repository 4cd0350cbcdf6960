// A track whose file goes away keeps its id (sql/007), and each user's state names that id
// (sql/011): when the same content comes back, every user has their own state of it again.
import t from 'tap'
import { copyFile, mkdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir } from '../../helper.js'
import { touch, writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath } from '../../fixtures/scan.js'
import { readStream } from '../../fixtures/sse.js'
import { addUser, type TestUser } from '../../fixtures/users.js'
import type { TrackT } from '../../../schemas/library.js'

t.test('a track removed by a scan and back at the next has each user\'s state again', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await tempDir(t, 'sonantica-media-')
    const away = await tempDir(t, 'sonantica-away-')
    await writeAudioFixture(join(media, 'Album'), 'mp3', { name: '01 Loved', tags: { title: 'Loved', artist: 'L', album: 'Album', track: '1' } })
    await writeAudioFixture(join(media, 'Album'), 'flac', { name: '02 Other', tags: { title: 'Other', artist: 'L', album: 'Album', track: '2' } })
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const ana = await addUser(s.pg, 'ana', 'admin')
    const ben = await addUser(s.pg, 'ben')
    t.match(await scan(s.app, ana.headers), { status: 'completed', added: 2 })
    const id = (await tracksByPath(s.pg)).get('Album/01 Loved.mp3')?.id as string

    const inject = async (user: TestUser, method: 'GET' | 'PATCH' | 'POST', url: string, payload?: object) =>
      await s.app.inject({ method, url, headers: user.headers, payload })
    t.equal((await inject(ana, 'PATCH', `/api/library/tracks/${id}`, { isFavorite: true, rating: 5 })).statusCode, 200)
    t.equal((await inject(ben, 'PATCH', `/api/library/tracks/${id}`, { rating: 1 })).statusCode, 200)
    for (let i = 0; i < 2; i++) t.equal((await inject(ben, 'POST', `/api/library/tracks/${id}/played`)).statusCode, 200)
    const state = async (user: TestUser) => {
      const track = (await inject(user, 'GET', `/api/library/tracks/${id}`)).json() as TrackT
      return { isFavorite: track.isFavorite, rating: track.rating, playCount: track.playCount, lastPlayed: track.lastPlayed }
    }
    const anaBefore = await state(ana)
    const benBefore = await state(ben)
    t.match(anaBefore, { isFavorite: true, rating: 5, playCount: 0, lastPlayed: null })
    t.match(benBefore, { isFavorite: false, rating: 1, playCount: 2, lastPlayed: String })

    await rename(join(media, 'Album', '01 Loved.mp3'), join(away, 'loved.mp3'))
    t.match(await scan(s.app, ana.headers), { status: 'completed', removed: 1 })
    t.equal((await inject(ana, 'GET', `/api/library/tracks/${id}`)).statusCode, 404, 'gone from the library')
    t.equal((await inject(ben, 'PATCH', `/api/library/tracks/${id}`, { isFavorite: true })).statusCode, 404, 'and its state cannot be changed meanwhile')
    t.equal((await inject(ben, 'POST', `/api/library/tracks/${id}/played`)).statusCode, 404)
    const kept = await s.pg.query('SELECT count(*)::int AS n FROM user_track_state WHERE track_id = $1', [id])
    t.equal(kept.rows[0].n, 2, 'both users\' rows wait for it')

    await rename(join(away, 'loved.mp3'), join(media, 'Album', '01 Loved.mp3'))
    t.match(await scan(s.app, ana.headers), { status: 'completed', added: 1, removed: 0 })
    t.equal((await tracksByPath(s.pg)).get('Album/01 Loved.mp3')?.id, id, 'back with its id')
    t.same(await state(ana), anaBefore, 'Ana\'s favourite and rating are back')
    t.same(await state(ben), benBefore, 'Ben\'s rating and plays are back')
    const favourites = (await inject(ana, 'GET', '/api/library/tracks?favorite=true')).json().tracks as TrackT[]
    t.same(favourites.map((x) => x.id), [id], 'and it is among Ana\'s favourites again')
  })
})

t.test('of identical copies that all left, the one that comes back takes the id it had at that path', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  const away = await tempDir(t, 'sonantica-away-')
  const first = await writeAudioFixture(join(media, 'Copies'), 'mp3', { name: 'a', tags: { title: 'Same', artist: 'C', album: 'Copies' } })
  for (const name of ['b', 'c', 'd']) await copyFile(first, join(media, 'Copies', `${name}.mp3`))
  // A library that empties completely is an unmounted disk, not a removal: something stays.
  await writeAudioFixture(join(media, 'Stays'), 'flac', { name: 'stays', tags: { title: 'Stays', artist: 'S', album: 'Stays' } })
  const s = await buildScanApp(t, { mediaPath: media })
  const ana = await addUser(s.pg, 'ana', 'admin')
  t.match(await scan(s.app, ana.headers), { status: 'completed', added: 5 })
  const ids = await tracksByPath(s.pg)
  // The copy whose id sorts last: the one a pick by id would never choose.
  const [path, id] = [...ids.entries()].filter(([p]) => p.startsWith('Copies/')).map(([p, row]) => [p, String(row.id)]).sort((x, y) => (x[1] < y[1] ? 1 : -1))[0]
  t.equal((await s.app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, headers: ana.headers, payload: { isFavorite: true, rating: 4 } })).statusCode, 200)

  // The folder goes (an emptied folder would keep its tracks: it looks like an unmounted disk).
  await rename(join(media, 'Copies'), join(away, 'Copies'))
  t.match(await scan(s.app, ana.headers), { status: 'completed', removed: 4 })
  await mkdir(join(media, 'Copies'))
  await rename(join(away, path), join(media, path))
  t.match(await scan(s.app, ana.headers), { status: 'completed', added: 1 })
  t.equal((await tracksByPath(s.pg)).get(path)?.id, id, 'the same id as before it left')
  t.match((await s.app.inject({ url: `/api/library/tracks/${id}`, headers: ana.headers })).json(), { isFavorite: true, rating: 4 }, 'and so the same state')
})

t.test('a track:indexed event goes to every listener and shows no one\'s state', async (t) => {
  const s = await buildScanApp(t)
  const file = await writeAudioFixture(s.env.MEDIA_PATH as string, 'mp3', { name: 'loved', tags: { title: 'Loved' } })
  await scan(s.app)
  const id = (await tracksByPath(s.pg)).get('loved.mp3')?.id as string
  // The open service's caller is the owner: their favourite, rating and play.
  t.match((await s.app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: true, rating: 4 } })).json(), { isFavorite: true })
  t.equal((await s.app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })).statusCode, 200)
  await touch(file, new Date(Date.now() + 60_000))

  const address = await s.app.listen({ port: 0, host: '127.0.0.1' })
  const { messages } = await readStream(`${address}/api/scan/events`, (ev) => ev.some((e) => e.type === 'scan:complete' || e.type === 'scan:error'), async () => {
    t.equal((await s.app.inject({ method: 'POST', url: '/api/scan/start' })).statusCode, 202)
  })
  t.match(messages.filter((e) => e.type === 'track:indexed'), [{ track: { id, isFavorite: false, rating: null, playCount: 0, lastPlayed: null } }])
  t.match((await s.app.inject(`/api/library/tracks/${id}`)).json(), { isFavorite: true, rating: 4, playCount: 1 }, 'while the owner\'s state is kept')
})
