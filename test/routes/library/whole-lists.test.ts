// limit=-1 returns a whole list: the same JSON a page of every item would give (limit says -1),
// in the same order, read in one snapshot, and reused from disk while the library is unchanged.
import t from 'tap'
import { build, eachVariant, testEnv, buildWithEnv, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { OWNER_ID } from '../../../lib/users/caller.js'

// Every paged list, with the sorts and filters whose order has NULLs and ties to keep.
async function listUrls (app: TestApp): Promise<string[]> {
  const albums = (await app.inject('/api/library/albums?limit=1')).json().albums
  const artists = (await app.inject('/api/library/artists?limit=1')).json().artists
  return [
    '/api/library/tracks',
    '/api/library/tracks?sort=year&order=desc',
    '/api/library/tracks?sort=duration',
    '/api/library/tracks?sort=recent',
    '/api/library/tracks?q=one',
    '/api/library/tracks?sort=playCount&order=desc',
    '/api/library/tracks?sort=lastPlayed',
    '/api/library/tracks?favorite=false&sort=playCount',
    '/api/library/albums',
    '/api/library/albums?sort=artist&order=desc',
    '/api/library/artists',
    '/api/library/artists?sort=trackCount&order=desc',
    `/api/library/albums/${albums[0].id as string}/tracks`,
    `/api/library/artists/${artists[0].id as string}/albums`,
    `/api/library/artists/${artists[0].id as string}/tracks`
  ]
}

const withQuery = (url: string, query: string): string => `${url}${url.includes('?') ? '&' : '?'}${query}`

async function seed (app: TestApp): Promise<void> {
  const tracks = sampleTracks()
  // NULL years, so the orders' NULL handling is part of what is compared. A duration not known
  // is stored as 0, as a scan stores it (sql/008).
  tracks[0].year = null
  tracks[1].duration = null
  tracks[2].year = null
  const seeded = await seedLibrary(app.pg, tracks)
  // Plays (with ties and never-played tracks) and favourites of the caller, the owner of an open
  // service, for the orders and filter by the caller's state.
  const ids = [...seeded.trackIds.values()].sort()
  await app.pg.query(`INSERT INTO user_track_state (user_id, track_id, is_favorite, play_count, last_played)
    SELECT $1, id, n % 2 = 0, n % 3, CASE WHEN n % 3 > 0 THEN '2026-01-01'::timestamptz + (n % 4) * interval '1 hour' END
    FROM unnest($2::uuid[]) WITH ORDINALITY AS x(id, n) WHERE n % 5 <> 0`, [OWNER_ID, ids])
}

t.test('limit=-1 gives exactly the page of every item, on every list, with and without offset', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seed(app)
    for (const url of await listUrls(app)) {
      for (const offset of [0, 7]) {
        const page = await app.inject(withQuery(url, `limit=500&offset=${offset}`))
        t.equal(page.statusCode, 200, url)
        const whole = await app.inject(withQuery(url, `limit=-1&offset=${offset}`))
        t.equal(whole.statusCode, 200, `${url} limit=-1`)
        t.match(whole.headers['content-type'], /^application\/json/)
        t.equal(whole.body, page.body.replace('"limit":500,', '"limit":-1,'), `${url} offset=${offset}: the same bytes but limit`)
        const body = whole.json()
        t.equal(body.limit, -1)
        t.equal(body.offset, offset)
        t.equal(Number(whole.headers['content-length']), Buffer.byteLength(whole.body))
      }
    }
  })
})

t.test('zero, other negative and non-integer limits are a 400 naming limit', async (t) => {
  const app = await build(t)
  await seed(app)
  for (const url of await listUrls(app)) {
    for (const limit of ['0', '-2', '-1.5', '501', 'all']) {
      const res = await app.inject(withQuery(url, `limit=${limit}`))
      t.equal(res.statusCode, 400, `${url} limit=${limit}`)
      t.match(res.json().message, /limit/)
    }
  }
})

t.test('a whole list of an unknown album or artist is a 404; of a known one with nothing, an empty list', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seed(app)
    const none = '00000000-0000-4000-8000-000000000000'
    for (const url of [`/api/library/albums/${none}/tracks`, `/api/library/artists/${none}/albums`, `/api/library/artists/${none}/tracks`]) {
      const res = await app.inject(withQuery(url, 'limit=-1'))
      t.equal(res.statusCode, 404, url)
      t.match(res.json().message, /not found/)
    }
    const empty = await app.inject('/api/library/tracks?limit=-1&q=nothingmatchesthis')
    t.same(empty.json(), { tracks: [], total: 0, limit: -1, offset: 0 })
    const past = await app.inject('/api/library/tracks?limit=-1&offset=100000')
    t.same(past.json(), { tracks: [], total: 46, limit: -1, offset: 100000 })
  })
})

t.test('a whole list is reused until the library changes, with an ETag for 304s', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seed(app)
    const url = '/api/library/tracks?limit=-1'
    const first = await app.inject(url)
    const etag = first.headers.etag as string
    t.match(etag, /^"[\w-]+"$/, 'a strong ETag')
    t.equal(first.headers['cache-control'], 'no-cache')
    t.equal(app.wholeLists.cache.size, 1, 'kept on disk')
    t.same(app.wholeLists.cache.counts, { builds: 1, hits: 0 })
    const again = await app.inject(url)
    t.equal(again.body, first.body)
    t.equal(again.headers.etag, etag)
    t.same(app.wholeLists.cache.counts, { builds: 1, hits: 1 }, 'served from the stored body')
    const revalidated = await app.inject({ url, headers: { 'if-none-match': etag, 'cache-control': 'no-cache' } })
    t.equal(revalidated.statusCode, 304)
    t.equal(revalidated.body, '')
    const head = await app.inject({ method: 'HEAD', url })
    t.equal(head.statusCode, 200, 'HEAD answers too')
    t.equal(head.headers.etag, etag)
    t.equal(head.body, '')

    // The seed made some tracks favourites already: flip this one, whichever it is.
    const track = first.json().tracks[3]
    const favourite = track.isFavorite !== true
    t.equal((await app.inject({ method: 'PATCH', url: `/api/library/tracks/${track.id as string}`, payload: { isFavorite: favourite } })).statusCode, 200)
    const changed = await app.inject({ url, headers: { 'if-none-match': etag } })
    t.equal(changed.statusCode, 200, 'the old ETag is stale')
    t.not(changed.headers.etag, etag)
    t.equal(changed.json().tracks[3].isFavorite, favourite, 'the change shows')
  })
})

t.test('WHOLE_LIST_CACHE_MB=0 keeps no body but still answers', async (t) => {
  const { env } = await testEnv(t)
  const app = await buildWithEnv(t, { ...env, WHOLE_LIST_CACHE_MB: '0' })
  await seed(app)
  const res = await app.inject('/api/library/albums?limit=-1')
  t.equal(res.statusCode, 200)
  t.equal(res.json().albums.length, 15)
  t.equal(app.wholeLists.cache.size, 0)
})
