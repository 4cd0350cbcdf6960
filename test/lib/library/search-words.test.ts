// The library's words (sql/016, lib/library/search-words.ts) follow what scans write, retag and
// remove, and whatever else writes rows; search reads its tiers through them.
import t, { type Test } from 'tap'
import { rm } from 'node:fs/promises'
import { join } from 'node:path'
import { build, eachVariant, tempDir, variantSkip } from '../../helper.js'
import { freshSearchWords, refreshSearchWords } from '../../../lib/library/search-words.js'
import { touch, writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import type { Queryable } from '../../../lib/db/queryable.js'
import type { AlbumT, ArtistT, TrackT } from '../../../schemas/library.js'

interface Found { tracks: TrackT[], albums: AlbumT[], artists: ArtistT[] }

async function words (db: Queryable): Promise<Set<string>> {
  const { rows } = await db.query<{ word: string }>('SELECT word FROM search_words')
  return new Set(rows.map((r) => r.word))
}

// Without asking a search, which would refresh the words itself.
async function upToDate (db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>('SELECT library_change = (SELECT max(id) FROM library_changes) AS ok FROM search_words_version')
  return rows[0].ok
}

t.test('the words follow scans that add, retag and remove files', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-media-')
    const album = join(media, 'Quokka Parade', 'Umbrella Days')
    const tags = { artist: 'Quokka Parade', album: 'Umbrella Days' }
    await writeAudioFixture(album, 'mp3', { name: '01', tags: { ...tags, title: 'Zanzibar Lullaby', track: '1' } })
    await writeAudioFixture(album, 'flac', { name: '02', tags: { ...tags, title: 'Other Side', track: '2' } })
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const search = async (q: string): Promise<Found> => (await s.app.inject(`/api/library/search?q=${encodeURIComponent(q)}`)).json()

    t.match(await scan(s.app), { status: 'completed', added: 2 })
    t.ok(await upToDate(s.pg), 'the scan refreshed the words before it finished')
    const first = await words(s.pg)
    for (const w of ['zanzibar', 'lullaby', 'other', 'side', 'quokka', 'parade', 'umbrella', 'days']) t.ok(first.has(w), w)

    await writeAudioFixture(album, 'mp3', { name: '01', tags: { ...tags, title: 'Yellowtail Lullaby', track: '1' } })
    await touch(join(album, '01.mp3'), new Date(Date.now() + 60_000))
    t.match(await scan(s.app), { status: 'completed', updated: 1 })
    t.ok(await upToDate(s.pg))
    const retagged = await words(s.pg)
    t.ok(retagged.has('yellowtail'), 'a retagged title\'s new word')
    t.notOk(retagged.has('zanzibar'), 'and not its old one')
    t.same((await search('yelowtail')).tracks.map((x) => x.title), ['Yellowtail Lullaby'], 'a typo of the new word')
    t.same((await search('zanzibar')).tracks, [], 'the old word finds nothing')

    await rm(join(album, '01.mp3'))
    t.match(await scan(s.app), { status: 'completed', removed: 1 })
    t.ok(await upToDate(s.pg))
    const removed = await words(s.pg)
    for (const w of ['yellowtail', 'lullaby']) t.notOk(removed.has(w), `${w} went with its file`)
    for (const w of ['quokka', 'umbrella', 'other']) t.ok(removed.has(w), `${w} is still held`)
    t.same((await search('lullaby')).tracks, [])
    t.same((await search('other side')).tracks.map((x) => x.title), ['Other Side'])
  })
})

t.test('rows written outside a scan are searched with their words at once', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const search = async (q: string): Promise<Found> => (await app.inject(`/api/library/search?q=${encodeURIComponent(q)}`)).json()
    const seeded = await seedLibrary(app.pg, [
      { path: 'a/1.mp3', title: 'Midnight Caravan', artist: 'Sigur Rós', album: 'Takk' },
      { path: 'a/2.mp3', title: 'Glósóli', artist: 'Sigur Rós', album: 'Takk' },
      { path: 'b/1.mp3', title: 'Electric Harbour', artist: 'Velvet Signal', album: 'Neon Desert' }
    ])
    t.same((await search('electirc')).tracks.map((x) => x.title), ['Electric Harbour'], 'a typo')
    t.same((await search('ight')).tracks.map((x) => x.title), ['Midnight Caravan'], 'inside a word')
    t.same((await search('ur ro')).artists.map((x) => x.name), ['Sigur Rós'], 'across two words, the end of one and the start of the next')
    t.equal((await search('ur ro')).tracks.length, 2)
    t.same((await search('velvet harbour')).tracks.map((x) => x.title), ['Electric Harbour'], 'two words apart, fuzzily')
    t.same(await search('qqqq zzzz'), { tracks: [], albums: [], artists: [] }, 'words the library holds nothing like')

    await app.pg.query('DELETE FROM tracks WHERE id = $1', [seeded.trackIds.get('b/1.mp3')])
    t.same((await search('electric')).tracks, [], 'a deleted row is not found')
    t.notOk((await words(app.pg)).has('harbour'), 'nor its words')
    t.ok((await words(app.pg)).has('neon'), 'which its album still holds')
  })
})

// A scan's worker and a search in the API may both find the words stale: one refresh runs at a
// time per database, and the one that finds another running leaves the words to it.
t.test('a refresh while another holds the database\'s refresh leaves the words stale for the next', async (t) => {
  // Two sessions: PostgreSQL only (PGlite has one).
  const skip = await variantSkip({ name: 'postgres', backend: 'postgres', redis: false })
  await t.test('postgres', { skip }, async (t) => { await refreshesAtOnce(t) })
})

async function refreshesAtOnce (t: Test): Promise<void> {
  const app = await build(t, { backend: 'postgres' })
  const search = async (q: string): Promise<Found> => (await app.inject(`/api/library/search?q=${encodeURIComponent(q)}`)).json()
  await seedLibrary(app.pg, [{ path: 'a/1.mp3', title: 'Marmalade Comet', artist: 'Tin Heron', album: 'Orbits' }])
  const other = await app.pg.connect()
  try {
    await other.query('BEGIN')
    await other.query('SELECT pg_advisory_xact_lock(x\'5e4c4857\'::int)')
    await refreshSearchWords(app.pg)
    t.notOk((await words(app.pg)).has('marmalade'), 'nothing written while the other refresh runs')
    t.notOk(await upToDate(app.pg), 'and the words are still stale')
  } finally {
    await other.query('COMMIT')
    other.release()
  }
  t.same((await search('marmalade')).tracks.map((x) => x.title), ['Marmalade Comet'], 'the next search refreshes them')
  t.ok(await upToDate(app.pg))

  await seedLibrary(app.pg, [{ path: 'b/1.mp3', title: 'Quiet Lantern', artist: 'Tin Heron', album: 'Orbits' }])
  await Promise.all([refreshSearchWords(app.pg), refreshSearchWords(app.pg), freshSearchWords(app.pg)])
  const { rows } = await app.pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM (
      SELECT word, uses FROM search_words EXCEPT
      SELECT w, count(*)::int FROM (SELECT unnest(string_to_array(search_key, ' ')) w FROM tracks
        UNION ALL SELECT unnest(string_to_array(search_key, ' ')) FROM albums
        UNION ALL SELECT unnest(string_to_array(name_key, ' ')) FROM artists) x WHERE w <> '' GROUP BY w) d`)
  t.equal(rows[0].n, 0, 'refreshes at once leave the words equal to a recount')
  t.ok((await words(app.pg)).has('lantern'))
}
