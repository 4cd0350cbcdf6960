// Library responses are served from memory while the library is unchanged, with an ETag for
// revalidation; anything a response shows that changes (a play, a favourite, a retagged file,
// another process's write) must show on the next request.
import t from 'tap'
import { join } from 'node:path'
import { build, buildWithEnv, eachVariant, skipReason, tempDir, testEnv } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { writeAudioFixture, touch } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import type { TrackT } from '../../../schemas/library.js'

const LIST = '/api/library/tracks?sort=title&limit=500'

t.test('a repeated request gets the same response and ETag; a matching If-None-Match gets 304', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, sampleTracks())
    for (const url of [LIST, '/api/library/albums?sort=year', '/api/library/artists', '/api/library/search?q=the', '/api/library/alphabet-index?type=tracks']) {
      const first = await app.inject(url)
      t.equal(first.statusCode, 200, url)
      const etag = first.headers.etag as string
      t.match(etag, /^"[\w-]+"$/, `${url}: a strong ETag`)
      t.equal(first.headers['cache-control'], 'no-cache', 'clients revalidate before reuse')
      const again = await app.inject(url)
      t.equal(again.body, first.body, `${url}: the same body again`)
      t.equal(again.headers.etag, etag)
      t.match(again.headers['content-type'], /^application\/json/)
      const revalidated = await app.inject({ url, headers: { 'if-none-match': etag } })
      t.equal(revalidated.statusCode, 304, `${url}: still current`)
      t.equal(revalidated.body, '', 'with no body')
      const reloaded = await app.inject({ url, headers: { 'if-none-match': etag, 'cache-control': 'no-cache' } })
      t.equal(reloaded.statusCode, 304, `${url}: as fetch() revalidates`)
      const other = await app.inject({ url, headers: { 'if-none-match': '"something-else"' } })
      t.equal(other.statusCode, 200, 'another ETag gets the body')
    }
  })
})

t.test('plays, favourites and changed tags show at once; old ETags no longer match', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, sampleTracks())
    const before = await app.inject(LIST)
    const track: TrackT = before.json().tracks[0]
    const search = `/api/library/search?q=${encodeURIComponent(track.title)}`
    const searched = await app.inject(search)
    t.equal(searched.json().tracks[0].id, track.id)

    t.equal((await app.inject({ method: 'PATCH', url: `/api/library/tracks/${track.id}`, payload: { isFavorite: true } })).statusCode, 200)
    const favourite = await app.inject({ url: LIST, headers: { 'if-none-match': before.headers.etag as string } })
    t.equal(favourite.statusCode, 200, 'the old ETag is stale')
    t.not(favourite.headers.etag, before.headers.etag)
    t.equal(favourite.json().tracks[0].isFavorite, true, 'the list shows the favourite')

    t.equal((await app.inject({ method: 'POST', url: `/api/library/tracks/${track.id}/played` })).statusCode, 200)
    t.equal((await app.inject(LIST)).json().tracks[0].playCount, 1, 'the list shows the play')
    const after = (await app.inject(search)).json().tracks[0]
    t.equal(after.playCount, 1, 'so does a search made before the play')
    t.type(after.lastPlayed, 'string')

    // What a rescan of a re-encoded file writes: no sort or filter column changes.
    await app.pg.query('UPDATE tracks SET bitrate = 123456 WHERE id = $1', [track.id])
    t.equal((await app.inject(LIST)).json().tracks[0].format.bitrate, 123, 'a changed bitrate shows (kbps)')
  })
})

t.test('a retagged file shows its new tags after the rescan', async (t) => {
  const { app, env } = await buildScanApp(t)
  const dir = join(env.MEDIA_PATH as string, 'Artist', 'Album')
  const path = await writeAudioFixture(dir, 'flac', { name: 'song', tags: { title: 'Old Title', artist: 'Artist', album: 'Album' } })
  await scan(app)
  t.equal((await app.inject(LIST)).json().tracks[0].title, 'Old Title')
  await writeAudioFixture(dir, 'flac', { name: 'song', tags: { title: 'New Title', artist: 'Artist', album: 'Album', genre: 'Jazz' } })
  await touch(path, new Date(Date.now() + 5000))
  await scan(app)
  const [track] = (await app.inject(LIST)).json().tracks
  t.equal(track.title, 'New Title')
  t.same(track.genres, ['Jazz'])
  t.equal((await app.inject('/api/library/search?q=new%20title')).json().tracks.length, 1)
})

t.test('another process writing to the same database is seen', { skip: await skipReason({ postgres: true }) }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres' })
  const a = await buildWithEnv(t, env)
  const b = await buildWithEnv(t, { ...env, DATA_DIR: await tempDir(t, 'sonantica-data-') })
  await seedLibrary(a.pg, sampleTracks())
  const track: TrackT = (await b.inject(LIST)).json().tracks[0]
  t.equal(track.isFavorite, false)
  await a.inject({ method: 'PATCH', url: `/api/library/tracks/${track.id}`, payload: { isFavorite: true } })
  t.equal((await b.inject(LIST)).json().tracks[0].isFavorite, true, 'the other process\'s list shows it')
})

t.test('RESPONSE_CACHE_MB=0 turns the cache off and responses stay right', async (t) => {
  const { env } = await testEnv(t, { env: { RESPONSE_CACHE_MB: '0' } })
  const app = await buildWithEnv(t, env)
  await seedLibrary(app.pg, sampleTracks())
  const first = await app.inject(LIST)
  t.equal(first.headers.etag, undefined, 'no ETag without the cache')
  t.equal(app.responseCache.size, 0)
  const id = first.json().tracks[0].id
  await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: true } })
  t.equal((await app.inject(LIST)).json().tracks[0].isFavorite, true)
})
