import t from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedLibrary, albumKey } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { fold } from '../../../lib/text-fold.js'
import { ListCache } from '../../../lib/db/list-cache.js'
import { createLibrary } from '../../../lib/library/library-service.js'
import { OWNER_ID } from '../../../lib/users/caller.js'

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'
// Various Artists is the album artist of a compilation and the artist of none of its tracks.
const COMPILATION = { path: 'Various/Hits/1.mp3', title: 'Hit One', artist: 'Nina Simone', album: 'Hits', albumArtist: 'Various Artists', trackNumber: 1, compilation: true }

const ids = (page: { rows: Array<{ id: string }> } | null): string[] => (page?.rows ?? []).map((x) => x.id)

// Counts what the service asks of the cache, and still lets it answer.
function countingCache (opts: ConstructorParameters<typeof ListCache>[0]): { cache: ListCache, calls: Record<string, number> } {
  const cache = new ListCache(opts)
  const calls: Record<string, number> = { total: 0, ids: 0, fingerprint: 0 }
  for (const name of ['total', 'ids', 'fingerprint'] as const) {
    const original = cache[name].bind(cache) as (...args: unknown[]) => Promise<unknown>
    Object.assign(cache, { [name]: async (...args: unknown[]) => { calls[name]++; return await original(...args) } })
  }
  return { cache, calls }
}

t.test('lists come in their default order unless one is asked, pages and whole lists alike', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const seeded = await seedLibrary(app.pg, sampleTracks())
    const library = createLibrary({ db: app.pg, listCache: new ListCache() }).as(OWNER_ID)
    const all = { limit: 500, offset: 0 }

    const byTitle = await library.tracks.list({ ...all, sort: 'title', order: 'asc' })
    t.equal(byTitle.total, sampleTracks().length)
    t.same(ids(await library.tracks.list(all)), ids(byTitle), 'tracks: title ascending by default')
    t.same(ids(await library.tracks.list({ ...all, order: 'desc' })), ids(byTitle).reverse(), 'an asked order keeps the default sort')
    t.same(ids(await library.tracks.list({ ...all, sort: 'recent' })), ids(await library.tracks.list({ ...all, sort: 'recent', order: 'desc' })),
      'recent: newest first')

    const albumId = seeded.albumIds.get(albumKey('Sigur Rós', 'Takk Three')) as string
    const inAlbum = await library.tracks.list({ ...all, albumId })
    t.same(ids(inAlbum), ids(await library.tracks.list({ ...all, albumId, sort: 'trackNumber', order: 'asc' })), 'with an album: disc/track order')
    t.same(ids(await library.albums.tracks(albumId, all)), ids(inAlbum), 'the album\'s own list agrees')

    t.same(ids(await library.albums.list(all)), ids(await library.albums.list({ ...all, sort: 'title', order: 'asc' })), 'albums: title by default')
    t.same(ids(await library.albums.list({ ...all, sort: 'recent' })), ids(await library.albums.list({ ...all, sort: 'recent', order: 'desc' })))
    t.same(ids(await library.artists.list(all)), ids(await library.artists.list({ ...all, sort: 'name', order: 'asc' })), 'artists: name by default')

    // The whole list's query is the page's: same columns, same direction.
    t.same(library.tracks.whole({ offset: 0 }).query, library.tracks.whole({ offset: 0, sort: 'title', order: 'asc' }).query)
    t.same(library.tracks.whole({ offset: 0, albumId }).query.columns, library.tracks.whole({ offset: 0, sort: 'trackNumber' }).query.columns)
    t.equal(library.albums.whole({ offset: 3, sort: 'recent' }).query.order, 'desc')
    t.equal(library.artists.whole({ offset: 0 }).query.order, 'asc')
  })
})

t.test('the lists of one album or artist are null when it does not exist, empty when it has nothing', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, [...sampleTracks(), COMPILATION])
  const library = createLibrary({ db: app.pg, listCache: new ListCache() }).as(OWNER_ID)
  const page = { limit: 10, offset: 0 }
  const bjork = seeded.artistIds.get(fold('Björk')) as string
  const various = seeded.artistIds.get(fold('Various Artists')) as string
  const vespertine = seeded.albumIds.get(albumKey('Björk', 'Vespertine One')) as string

  t.equal(await library.albums.tracks(NO_SUCH_ID, page), null)
  t.equal(await library.artists.albums(NO_SUCH_ID, page), null)
  t.equal(await library.artists.tracks(NO_SUCH_ID, page), null)
  t.same(await library.albums.tracks(vespertine, { limit: 10, offset: 100 }), { rows: [], total: 3 }, 'past the end: empty, with the total')

  t.same(await library.artists.tracks(various, page), { rows: [], total: 0 }, 'an album artist with no tracks of their own: an empty list')
  t.equal((await library.artists.albums(various, page))?.total, 1)
  t.equal((await library.artists.albums(bjork, page))?.total, 3)
  t.equal((await library.artists.tracks(bjork, page))?.total, 9)

  t.equal(await library.albums.wholeTracks(NO_SUCH_ID, { offset: 0 }).parentExists?.(), false)
  t.equal(await library.artists.wholeAlbums(NO_SUCH_ID, { offset: 0 }).parentExists?.(), false)
  t.equal(await library.artists.wholeTracks(NO_SUCH_ID, { offset: 0 }).parentExists?.(), false)
  t.equal(await library.artists.wholeTracks(various, { offset: 0 }).parentExists?.(), true)
  t.equal(await library.albums.wholeTracks(vespertine, { offset: 0 }).parentExists?.(), true)
  t.equal(library.tracks.whole({ offset: 0 }).parentExists, undefined, 'a list of everything has no parent to ask about')

  t.equal(await library.albums.byId(NO_SUCH_ID), null)
  t.equal(await library.artists.byId(NO_SUCH_ID), null)
  t.equal(await library.tracks.byId(NO_SUCH_ID), null)
  t.equal(await library.albums.coverSource(NO_SUCH_ID), null)
  t.same(await library.albums.coverSource(vespertine), { coverSource: null })
})

t.test('every list goes through the list cache it was built with', async (t) => {
  const app = await build(t)
  await seedLibrary(app.pg, sampleTracks())
  const { cache, calls } = countingCache({ deepOffset: 10 })
  const library = createLibrary({ db: app.pg, listCache: cache }).as(OWNER_ID)

  await library.tracks.list({ limit: 5, offset: 0 })
  t.equal(calls.total, 1, 'a shallow page takes its total from the cache')
  await library.albums.list({ limit: 5, offset: 0 })
  await library.artists.list({ limit: 5, offset: 0 })
  t.equal(calls.total, 3)
  t.equal(calls.ids, 0)

  const deep = await library.tracks.list({ limit: 5, offset: 40 })
  t.equal(calls.ids, 1, 'a deep page reads its positions from the cache')
  t.equal(deep.rows.length, 5)
  t.equal(deep.total, sampleTracks().length)

  const before = calls.fingerprint
  const version = await library.version()
  t.equal(calls.fingerprint, before + 1, 'the version is the cache\'s fingerprint')
  t.equal(version, await cache.fingerprint(app.pg))
})

t.test('tracks by id, user state and analysis answer null for an unknown track', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, sampleTracks())
  const library = createLibrary({ db: app.pg, listCache: new ListCache() }).as(OWNER_ID)
  const [a, b, c] = [...seeded.trackIds.values()]

  t.same((await library.tracks.byIds([c, NO_SUCH_ID, a, b])).map((x) => x.id), [c, a, b], 'in the order asked, unknown ids left out')
  t.same(await library.tracks.byIds([]), [])

  t.equal(await library.tracks.setState(NO_SUCH_ID, { isFavorite: true }), null)
  t.equal(await library.tracks.recordPlay(NO_SUCH_ID), null)
  t.equal(await library.tracks.saveAnalysis(NO_SUCH_ID, { bpm: 1 }), null)

  t.match(await library.tracks.setState(a, { rating: 4 }), { id: a, rating: 4 })
  t.match(await library.tracks.recordPlay(a), { id: a, playCount: 1 })
  t.match(await library.tracks.saveAnalysis(a, { bpm: 128 }), { id: a })
  const { rows } = await app.pg.query<{ analysis: unknown }>('SELECT analysis FROM tracks WHERE id = $1', [a])
  t.same(rows[0].analysis, { bpm: 128 })
})

t.test('totals, counts, search and the alphabet index read the same library', async (t) => {
  const app = await build(t)
  await seedLibrary(app.pg, sampleTracks())
  const library = createLibrary({ db: app.pg, listCache: new ListCache() }).as(OWNER_ID)
  const stats = await library.stats()
  t.match(stats, { trackCount: sampleTracks().length, artistCount: 5, albumCount: 15, lastScan: null })
  t.same(await library.counts(), { tracks: stats.trackCount, artists: stats.artistCount, albums: stats.albumCount })

  const found = await library.search('bjork', 5)
  t.same(found.artists.map((x) => x.name), ['Björk'])
  const alphabet = await library.alphabet('artists')
  t.equal(alphabet.A, 0, 'Aphex Twin first')
  t.ok(alphabet.B !== undefined && alphabet.B > 0)
})
