import t, { type Test } from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedLibrary, albumKey } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { fold, sortKey } from '../../../lib/text-fold.js'
import type { AlbumT, ArtistT, TrackT } from '../../../schemas/library.js'
import { compareKeys, fetchAll, type Key } from './list-helpers.js'

const ALBUM_KEYS: Record<string, (al: AlbumT) => Key[]> = {
  title: (al) => [sortKey(al.title)],
  artist: (al) => [sortKey(al.artist), sortKey(al.title)],
  year: (al) => [al.year],
  recent: (al) => [al.addedAt]
}
const ARTIST_KEYS: Record<string, (ar: ArtistT) => Key[]> = {
  name: (ar) => [sortKey(ar.name)],
  trackCount: (ar) => [ar.trackCount]
}

// Two more artists: one with a single track (trackCount ties and differences), one album artist
// of a compilation whose tracks belong to others.
const EXTRA = [
  { path: 'Various/Hits/1.mp3', title: 'Hit One', artist: 'Nina Simone', album: 'Hits', albumArtist: 'Various Artists', year: 2001, genres: ['Pop'], trackNumber: 1, compilation: true },
  { path: 'Solo/Single/1.mp3', title: 'Alone', artist: 'Æther', album: 'Single', year: 2020, genres: ['Pop'], trackNumber: 1 }
]

async function check<T extends { id: string }> (t: Test, app: any, path: string, field: string, keys: Record<string, (x: T) => Key[]>, total: number): Promise<void> {
  for (const [sort, keyOf] of Object.entries(keys)) {
    for (const order of ['asc', 'desc'] as const) {
      const body = (await app.inject(`${path}?sort=${sort}&order=${order}&limit=500`)).json()
      t.equal(body.total, total)
      const items: T[] = body[field]
      const sorted = [...items].sort((a, b) => compareKeys([...keyOf(a), a.id], [...keyOf(b), b.id], order))
      t.same(items.map((x) => x.id), sorted.map((x) => x.id), `${path} ${sort} ${order} ordered by its keys, then id`)
      const paged = await fetchAll(app, `${path}?sort=${sort}&order=${order}`, field, 4)
      t.same(paged.map((x) => x.id), items.map((x) => x.id), `${path} ${sort} ${order}: pages join up, no gap or repeat`)
      t.equal(new Set(paged.map((x) => x.id)).size, total)
    }
  }
}

t.test('album and artist lists: every sort, both orders, paging', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, [...sampleTracks(), ...EXTRA])
    await check<AlbumT>(t, app, '/api/library/albums', 'albums', ALBUM_KEYS, 17)
    await check<ArtistT>(t, app, '/api/library/artists', 'artists', ARTIST_KEYS, 7)
  })
})

t.test('albums and artists: fields, filters, sub-lists', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const sample = sampleTracks()
    sample[9].coverSource = 'file:Sigur Rós/Takk One/cover.jpg'
    const seeded = await seedLibrary(app.pg, [...sample, ...EXTRA])
    const takkOne = seeded.albumIds.get(albumKey('Sigur Rós', 'Takk One')) as string
    const sigur = seeded.artistIds.get(fold('Sigur Rós')) as string

    const album = (await app.inject(`/api/library/albums/${takkOne}`)).json()
    t.same(album, {
      id: takkOne,
      title: 'Takk One',
      artist: 'Sigur Rós',
      artistId: sigur,
      year: 1993,
      genres: ['Ambient', 'Post-Rock'],
      trackCount: 3,
      totalDuration: sample.slice(9, 12).reduce((s, x) => s + (x.duration ?? 0), 0),
      coverArt: `/api/cover/${takkOne}`,
      compilation: false,
      addedAt: album.addedAt
    })

    const artist = (await app.inject(`/api/library/artists/${sigur}`)).json()
    t.same(artist, {
      id: sigur,
      name: 'Sigur Rós',
      trackCount: 9,
      albumCount: 3,
      genres: ['Ambient', 'Post-Rock'],
      imageUrl: `/api/cover/${takkOne}`,
      addedAt: artist.addedAt
    })
    const various = seeded.artistIds.get(fold('Various Artists')) as string
    t.match((await app.inject(`/api/library/artists/${various}`)).json(), { trackCount: 0, albumCount: 1, imageUrl: null, genres: [] })

    const byArtist = (await app.inject(`/api/library/albums?artistId=${sigur}`)).json()
    t.equal(byArtist.total, 3)
    t.ok(byArtist.albums.every((a: AlbumT) => a.artistId === sigur))
    const pop = (await app.inject('/api/library/albums?genre=Pop')).json()
    t.same(pop.albums.map((a: AlbumT) => a.title).sort(), ['Hits', 'Single'])
    const y = (await app.inject('/api/library/albums?year=1993')).json()
    t.same(y.albums.map((a: AlbumT) => a.title), ['Takk One'])
    const q = (await app.inject('/api/library/albums?q=SIGUR%20ros')).json()
    t.equal(q.total, 3, 'album q matches the album artist too, ignoring case and accents')
    const artistsQ = (await app.inject('/api/library/artists?q=bjork')).json()
    t.same(artistsQ.artists.map((a: ArtistT) => a.name), ['Björk'])

    const albumTracks = (await app.inject(`/api/library/albums/${takkOne}/tracks`)).json()
    t.same(albumTracks.tracks.map((x: TrackT) => x.trackNumber), [1, 2, 3], 'album tracks in track order')
    t.match(albumTracks, { total: 3, limit: 50, offset: 0 })
    const albumPage = (await app.inject(`/api/library/albums/${takkOne}/tracks?limit=2&offset=2`)).json()
    t.same(albumPage.tracks.map((x: TrackT) => x.trackNumber), [3])

    const artistAlbums = (await app.inject(`/api/library/artists/${sigur}/albums`)).json()
    t.same(artistAlbums.albums.map((a: AlbumT) => a.year), [1993, 1994, null], 'artist albums oldest first')
    const artistTracks = (await app.inject(`/api/library/artists/${sigur}/tracks?limit=4`)).json()
    t.equal(artistTracks.total, 9)
    t.same(artistTracks.tracks.map((x: TrackT) => [x.album, x.trackNumber]),
      [['Takk One', 1], ['Takk One', 2], ['Takk One', 3], ['Takk Three', 1]], 'artist tracks by album, then disc/track')

    const empty = (await app.inject(`/api/library/artists/${various}/tracks`)).json()
    t.same(empty, { tracks: [], total: 0, limit: 50, offset: 0 }, 'an artist with no tracks of its own has an empty list, not a 404')

    const ghost = '00000000-0000-4000-8000-000000000000'
    for (const url of [`/api/library/albums/${ghost}`, `/api/library/artists/${ghost}`, `/api/library/albums/${ghost}/tracks`,
      `/api/library/artists/${ghost}/albums`, `/api/library/artists/${ghost}/tracks`]) {
      const r = await app.inject(url)
      t.equal(r.statusCode, 404, url)
      t.match(r.json(), { statusCode: 404, error: 'Not Found', message: /not found/ })
    }
    for (const [url, message] of [
      ['/api/library/albums?sort=name', /querystring\/sort must be equal to one of the allowed values/],
      ['/api/library/artists?sort=year', /querystring\/sort must be equal to one of the allowed values/],
      ['/api/library/albums?offset=-5', /querystring\/offset must be >= 0/],
      ['/api/library/artists?limit=501', /querystring\/limit must be <= 500/],
      ['/api/library/albums/xyz', /params\/id must match format "uuid"/],
      [`/api/library/artists/${sigur}/tracks?limit=100000`, /querystring\/limit must be <= 500/]
    ] as const) {
      const r = await app.inject(url)
      t.equal(r.statusCode, 400, url)
      t.match(r.json().message, message, url)
    }
  })
})
