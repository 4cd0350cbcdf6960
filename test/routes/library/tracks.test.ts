import t from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedLibrary, albumKey } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { fold, sortKey } from '../../../lib/text-fold.js'
import type { TrackT } from '../../../schemas/library.js'
import { compareKeys, fetchAll, type Key } from './list-helpers.js'

const SORT_KEYS: Record<string, (tr: TrackT) => Key[]> = {
  title: (tr) => [sortKey(tr.title)],
  artist: (tr) => [sortKey(tr.artist), sortKey(tr.album), tr.discNumber, tr.trackNumber],
  album: (tr) => [sortKey(tr.album), tr.discNumber, tr.trackNumber],
  year: (tr) => [tr.year],
  recent: (tr) => [tr.addedAt],
  duration: (tr) => [tr.duration],
  trackNumber: (tr) => [tr.discNumber, tr.trackNumber]
}

t.test('track lists: every sort, both orders, paged without gaps or repeats', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const sample = sampleTracks()
    const seeded = await seedLibrary(app.pg, sample)
    const allIds = [...seeded.trackIds.values()].sort()

    for (const [sort, keyOf] of Object.entries(SORT_KEYS)) {
      for (const order of ['asc', 'desc'] as const) {
        const whole = await app.inject(`/api/library/tracks?sort=${sort}&order=${order}&limit=500`)
        t.equal(whole.statusCode, 200)
        const body = whole.json()
        t.equal(body.total, sample.length)
        const tracks: TrackT[] = body.tracks
        const sorted = [...tracks].sort((a, b) => compareKeys([...keyOf(a), a.id], [...keyOf(b), b.id], order))
        t.same(tracks.map((x) => x.id), sorted.map((x) => x.id), `${sort} ${order} is ordered by its keys, then id`)

        const paged = await fetchAll(app, `/api/library/tracks?sort=${sort}&order=${order}`, 'tracks', 7)
        t.same(paged.map((x: TrackT) => x.id), tracks.map((x) => x.id), `${sort} ${order}: pages of 7 join up to the whole list`)
        t.same(paged.map((x: TrackT) => x.id).sort(), allIds, `${sort} ${order}: every track exactly once`)
      }
    }

    const defaults = (await app.inject('/api/library/tracks')).json()
    t.equal(defaults.limit, 50)
    t.equal(defaults.offset, 0)
    t.equal(defaults.tracks.length, sample.length)
    t.same(defaults.tracks.map((x: TrackT) => x.id),
      (await app.inject('/api/library/tracks?sort=title&order=asc&limit=500')).json().tracks.map((x: TrackT) => x.id),
      'title ascending by default')
    const recent = (await app.inject('/api/library/tracks?sort=recent&limit=500')).json().tracks
    t.same(recent.map((x: TrackT) => x.id),
      (await app.inject('/api/library/tracks?sort=recent&order=desc&limit=500')).json().tracks.map((x: TrackT) => x.id),
      'recent is newest first unless asked otherwise')

    const beyond = (await app.inject('/api/library/tracks?offset=1000')).json()
    t.same(beyond, { tracks: [], total: sample.length, limit: 50, offset: 1000 }, 'an offset past the end is an empty page')
  })
})

t.test('track filters', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const sample = sampleTracks()
    const seeded = await seedLibrary(app.pg, sample)
    const list = async (query: string): Promise<{ tracks: TrackT[], total: number }> => {
      const res = await app.inject(`/api/library/tracks?limit=500&${query}`)
      t.equal(res.statusCode, 200, query)
      return res.json()
    }

    const sigur = seeded.artistIds.get(fold('Sigur Rós')) as string
    const byArtist = await list(`artistId=${sigur}`)
    t.equal(byArtist.total, 9)
    t.ok(byArtist.tracks.every((x) => x.artist === 'Sigur Rós' && x.artistId === sigur))

    const albumId = seeded.albumIds.get(albumKey('Aphex Twin', 'Drukqs Three')) as string
    const byAlbum = await list(`albumId=${albumId}`)
    t.same(byAlbum.tracks.map((x) => [x.discNumber, x.trackNumber]), [[1, 1], [1, 2], [2, 3]], 'album tracks in disc/track order by default')

    const ambient = await list('genre=Ambient')
    t.equal(ambient.total, 18)
    t.ok(ambient.tracks.every((x) => x.genres.includes('Ambient')))

    const y = await list('year=1994')
    t.ok(y.total > 0)
    t.ok(y.tracks.every((x) => x.year === 1994))

    const q = await list('q=HOPPIPOLLA')
    t.ok(q.total > 0, 'q ignores case and accents')
    t.ok(q.tracks.every((x) => x.title.startsWith('Hoppípolla')))
    t.equal((await list('q=sigur%20takk')).total, 9, 'every word of q must appear, in title, artist or album')
    t.equal((await list('q=50%25')).total, 0, 'LIKE wildcards in q are literal')

    const combined = await list(`artistId=${sigur}&year=1994`)
    t.ok(combined.total > 0 && combined.tracks.every((x) => x.year === 1994 && x.artistId === sigur), 'filters combine with AND')
    const nothing = await list(`artistId=${sigur}&genre=Jazz`)
    t.same(nothing.tracks, [])
    t.equal(nothing.total, 0)
  })
})

t.test('one track, 404s and 400s', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, sampleTracks())
  const id = seeded.trackIds.get('Björk/Vespertine One/1.mp3') as string
  const res = await app.inject(`/api/library/tracks/${id}`)
  t.equal(res.statusCode, 200)
  const track = res.json()
  t.match(track, {
    id,
    title: 'Hidden Place 00',
    artist: 'Björk',
    album: 'Vespertine One',
    filePath: 'Björk/Vespertine One/1.mp3',
    year: 1996,
    genre: 'Electronic',
    genres: ['Electronic'],
    trackNumber: 3,
    discNumber: 1,
    playCount: 0,
    isFavorite: false,
    lastPlayed: null,
    coverArt: null
  })

  const missing = await app.inject('/api/library/tracks/00000000-0000-4000-8000-000000000000')
  t.equal(missing.statusCode, 404)
  t.same(missing.json(), { statusCode: 404, error: 'Not Found', message: 'Track 00000000-0000-4000-8000-000000000000 not found' })

  const bad: Array<[string, RegExp]> = [
    ['/api/library/tracks/not-a-uuid', /params\/id must match format "uuid"/],
    ['/api/library/tracks?sort=bogus', /querystring\/sort must be equal to one of the allowed values/],
    ['/api/library/tracks?order=sideways', /querystring\/order/],
    ['/api/library/tracks?offset=-1', /querystring\/offset must be >= 0/],
    ['/api/library/tracks?limit=1000000000', /querystring\/limit must be <= 500/],
    ['/api/library/tracks?limit=0', /querystring\/limit must be >= 1/],
    ['/api/library/tracks?limit=ten', /querystring\/limit must be integer/],
    ['/api/library/tracks?artistId=42', /querystring\/artistId must match format "uuid"/],
    ['/api/library/tracks?year=nineteen', /querystring\/year must be integer/],
    ['/api/library/tracks?q=', /querystring\/q must NOT have fewer than 1 characters/]
  ]
  for (const [url, message] of bad) {
    const r = await app.inject(url)
    t.equal(r.statusCode, 400, url)
    t.match(r.json(), { statusCode: 400, error: 'Bad Request', message }, url)
  }
})

t.test('favourites and play counts are kept and reported', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, sampleTracks())
  const id = seeded.trackIds.get('Nina Simone/Pastel One/2.mp3') as string

  const fav = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: true } })
  t.equal(fav.statusCode, 200)
  t.equal(fav.json().isFavorite, true)
  t.equal((await app.inject(`/api/library/tracks/${id}`)).json().isFavorite, true, 'the favourite sticks')

  const unfav = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: false } })
  t.equal(unfav.json().isFavorite, false)

  for (const payload of [{ isFavorite: 'yes' }, { isFavorite: true, title: 'Renamed' }, {}, { playCount: 99 }]) {
    const r = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload })
    t.equal(r.statusCode, 400, JSON.stringify(payload))
    t.match(r.json().message, /^body/, 'the message names the body')
  }
  const after = (await app.inject(`/api/library/tracks/${id}`)).json()
  t.equal(after.title, 'Feeling Good 01', 'a rejected patch changes nothing')
  t.equal(after.isFavorite, false)

  const before = Date.now()
  const first = await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })
  t.equal(first.statusCode, 200)
  t.equal(first.json().playCount, 1)
  t.ok(Date.parse(first.json().lastPlayed) >= before - 1000, 'lastPlayed is now')
  const second = await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })
  t.equal(second.json().playCount, 2)

  const ghost = '00000000-0000-4000-8000-000000000000'
  t.equal((await app.inject({ method: 'PATCH', url: `/api/library/tracks/${ghost}`, payload: { isFavorite: true } })).statusCode, 404)
  t.equal((await app.inject({ method: 'POST', url: `/api/library/tracks/${ghost}/played` })).statusCode, 404)

  // What a rescan does to a changed file: the scanner's upsert rewrites tags, never user state.
  await app.pg.query('UPDATE tracks SET title = \'Feeling Good (Remastered)\', sort_key = \'feeling good (remastered)\', updated_at = now() WHERE id = $1', [id])
  await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: true } })
  const rescanned = (await app.inject(`/api/library/tracks/${id}`)).json()
  t.match(rescanned, { title: 'Feeling Good (Remastered)', playCount: 2, isFavorite: true })
})
