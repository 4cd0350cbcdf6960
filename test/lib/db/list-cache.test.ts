import t from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { ListCache } from '../../../lib/db/list-cache.js'
import { listTracks } from '../../../lib/library/track-repository.js'
import { listAlbums } from '../../../lib/library/album-repository.js'
import { listArtists } from '../../../lib/library/artist-repository.js'
import { TRACK_SORTS, ALBUM_SORTS, ARTIST_SORTS } from '../../../schemas/library.js'
import { OWNER_ID } from '../../../lib/users/caller.js'
import { addUser } from '../../fixtures/users.js'

// Deep pages come from cached positions; with deepOffset 5 every page past the first few
// takes that path, and must be exactly the page the index walk gives.
t.test('deep pages from the cache equal pages walked in SQL, every sort and order', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const seeded = await seedLibrary(app.pg, sampleTracks())
    const cache = new ListCache({ deepOffset: 5 })
    // Never deep: every page walks the index in SQL.
    const walked = new ListCache({ deepOffset: Number.MAX_SAFE_INTEGER })
    const sigur = [...seeded.artistIds.entries()].find(([k]) => k === 'sigur ros')?.[1] as string
    // Plays, ties among them and favourites for every third track, so the sorts and filters by
    // the viewer's state have NULLs, ties and values to order.
    await app.pg.query(`INSERT INTO user_track_state (user_id, track_id, is_favorite, play_count, last_played)
      SELECT $1, id, n % 2 = 0, n % 4, CASE WHEN n % 4 > 0 THEN '2026-01-01'::timestamptz + (n % 5) * interval '1 day' END
      FROM (SELECT id, row_number() OVER (ORDER BY file_path) AS n FROM tracks) x WHERE n % 3 = 0`, [OWNER_ID])
    for (const order of ['asc', 'desc'] as const) {
      for (const sort of TRACK_SORTS) {
        for (const filter of [{}, { artistId: sigur }, { genre: 'Ambient' }, { favorite: true }, { favorite: false }]) {
          for (const offset of [0, 5, 13, 40, 45, 46, 60]) {
            const opts = { ...filter, sort, order, limit: 4, offset, viewer: OWNER_ID }
            const direct = await listTracks(app.pg, walked, opts)
            const cached = await listTracks(app.pg, cache, opts)
            t.same(cached, direct, `tracks ${sort} ${order} ${JSON.stringify(filter)} @${offset}`)
          }
        }
      }
      for (const sort of ALBUM_SORTS) {
        for (const offset of [0, 6, 11, 14, 20]) {
          const opts = { sort, order, limit: 3, offset }
          t.same(await listAlbums(app.pg, cache, opts), await listAlbums(app.pg, walked, opts), `albums ${sort} ${order} @${offset}`)
        }
      }
      for (const sort of ARTIST_SORTS) {
        for (const offset of [0, 3, 4, 5]) {
          const opts = { sort, order, limit: 2, offset }
          t.same(await listArtists(app.pg, cache, opts), await listArtists(app.pg, walked, opts), `artists ${sort} ${order} @${offset}`)
        }
      }
    }
  })
})

t.test('a library change refreshes totals and positions; analysis results do not', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, sampleTracks())
  const cache = new ListCache({ deepOffset: 10 })
  const opts = { sort: 'title' as const, order: 'asc' as const, limit: 50, offset: 0, viewer: OWNER_ID }
  const deep = { ...opts, offset: 40, limit: 10 }
  t.equal((await listTracks(app.pg, cache, opts)).total, 46)
  t.equal((await listTracks(app.pg, cache, deep)).rows.length, 6)

  const before = await cache.fingerprint(app.pg)
  const id = seeded.trackIds.get('Björk/Vespertine One/1.mp3') as string
  await app.pg.query(`INSERT INTO user_track_state (user_id, track_id, play_count, is_favorite) VALUES ($1, $2, 1, true)
    ON CONFLICT (user_id, track_id) DO UPDATE SET play_count = user_track_state.play_count + 1, is_favorite = true`, [OWNER_ID, id])
  const version = await cache.fingerprint(app.pg)
  t.not(version, before, 'play counts and favourites move the version: cached responses show them')
  t.equal((await listTracks(app.pg, cache, deep)).rows.length, 6, 'and the lists are the same')
  await app.pg.query('UPDATE tracks SET analysis = $2::jsonb, analysis_updated_at = now() WHERE id = $1', [id, '{"bpm":120}'])
  t.equal(await cache.fingerprint(app.pg), version, 'analysis results, shown in no list, leave it alone')

  await seedLibrary(app.pg, [{ path: 'new/1.mp3', title: 'Zebra', artist: 'Björk', album: 'Vespertine One' }])
  t.not(await cache.fingerprint(app.pg), version)
  t.equal((await listTracks(app.pg, cache, opts)).total, 47, 'a new track counts at once')
  const page = await listTracks(app.pg, cache, deep)
  t.equal(page.total, 47)
  t.equal(page.rows.at(-1)?.title, 'Zebra', 'and has its place in deep pages')

  await app.pg.query('UPDATE tracks SET title = \'Aardvark\', sort_key = \'aardvark\' WHERE file_path = \'new/1.mp3\'')
  t.equal((await listTracks(app.pg, cache, { ...opts, limit: 1 })).rows[0].title, 'Aardvark', 'a retitled track moves')
  t.not((await listTracks(app.pg, cache, deep)).rows.at(-1)?.title, 'Aardvark')

  await app.pg.query('DELETE FROM tracks WHERE file_path = \'new/1.mp3\'')
  t.equal((await listTracks(app.pg, cache, deep)).total, 46, 'a removed track leaves the total')
})

t.test('the change log compacts itself without losing a change', async (t) => {
  const app = await build(t)
  await seedLibrary(app.pg, sampleTracks().slice(0, 3))
  const cache = new ListCache()
  await app.pg.query('INSERT INTO library_changes SELECT FROM generate_series(1, 1200)')
  const before = await cache.fingerprint(app.pg)
  const { rows } = await app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM library_changes')
  t.equal(rows[0].n, 1, 'compacted to one row')
  const after = await cache.fingerprint(app.pg)
  t.not(after, before, 'compaction moves the version on')
  t.equal(await cache.fingerprint(app.pg), after, 'and it then holds still')
})

// Lists ordered or filtered by a user's state carry that user's id among their values, and the
// cache keys lists by text and values: one user's totals and positions never answer another.
t.test('lists by the viewer\'s state are cached per viewer; the others are shared', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const seeded = await seedLibrary(app.pg, sampleTracks())
    const ana = await addUser(app.pg, 'ana', 'admin')
    const ben = await addUser(app.pg, 'ben')
    const ids = [...seeded.trackIds.values()].sort()
    // Ana favourites and plays the first ten tracks, Ben the last three.
    const state = `INSERT INTO user_track_state (user_id, track_id, is_favorite, play_count)
      SELECT $1, id, true, 1 FROM unnest($2::uuid[]) AS id`
    await app.pg.query(state, [ana.id, ids.slice(0, 10)])
    await app.pg.query(state, [ben.id, ids.slice(-3)])
    const cache = new ListCache({ deepOffset: 2 })
    const calls: string[] = []
    const ids0 = cache.ids.bind(cache)
    Object.assign(cache, { ids: async (...args: Parameters<ListCache['ids']>) => { calls.push(args[2]); return await ids0(...args) } })

    const page = (viewer: string, extra: object) => ({ sort: 'playCount' as const, order: 'desc' as const, limit: 50, offset: 2, viewer, ...extra })
    const anaFavourites = await listTracks(app.pg, cache, page(ana.id, { favorite: true }))
    const benFavourites = await listTracks(app.pg, cache, page(ben.id, { favorite: true }))
    t.equal(anaFavourites.total, 10, 'Ana\'s favourites')
    t.equal(benFavourites.total, 3, 'Ben\'s, from the same cache right after')
    t.ok(anaFavourites.rows.every((x) => x.isFavorite && x.playCount === 1), 'each sees their own state')
    t.ok(benFavourites.rows.every((x) => ids.slice(-3).includes(x.id)))
    t.equal(new Set(calls).size, 2, 'two lists of positions, one per viewer')

    calls.length = 0
    const byTitle = (viewer: string) => ({ sort: 'title' as const, order: 'asc' as const, limit: 50, offset: 2, viewer })
    const anaTitles = await listTracks(app.pg, cache, byTitle(ana.id))
    const benTitles = await listTracks(app.pg, cache, byTitle(ben.id))
    t.same(anaTitles.rows.map((x) => x.id), benTitles.rows.map((x) => x.id), 'a list by title is the same list for both')
    t.equal(new Set(calls).size, 1, 'and its positions are cached once for both')
    const shown = (rows: typeof anaTitles.rows, id: string) => rows.find((x) => x.id === id)?.isFavorite
    const anaOnly = ids.slice(0, 10).find((id) => anaTitles.rows.some((x) => x.id === id)) as string
    t.equal(shown(anaTitles.rows, anaOnly), true, 'yet each row shows its viewer\'s state')
    t.equal(shown(benTitles.rows, anaOnly), false)
  })
})
