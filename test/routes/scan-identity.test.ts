// A track keeps its id and user state when its file moves (within one scan or across scans) or
// is away for a while: the same content coming back restores it.
import t, { type Test } from 'tap'
import { mkdir, rename } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath, type ScanApp } from '../fixtures/scan.js'

async function library (t: Parameters<typeof tempDir>[0]): Promise<string> {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'Album'), 'mp3', { name: '01 Loved', tags: { title: 'Loved', artist: 'L', album: 'Album', track: '1' } })
  await writeAudioFixture(join(media, 'Album'), 'flac', { name: '02 Other', tags: { title: 'Other', artist: 'L', album: 'Album', track: '2' } })
  return media
}

async function idOf (pg: ScanApp['pg'], path: string): Promise<string | undefined> {
  return (await tracksByPath(pg)).get(path)?.id as string | undefined
}

// Favourite, one play, an analysis and a playlist entry: everything a user or worker adds.
async function giveState (t: Test, s: ScanApp, id: string): Promise<string> {
  const { app } = s
  t.equal((await app.inject({ method: 'PATCH', url: `/api/library/tracks/${id}`, payload: { isFavorite: true, rating: 4 } })).statusCode, 200)
  t.equal((await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })).statusCode < 300, true)
  t.equal((await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: { bpm: 128 } })).statusCode < 300, true)
  const res = await app.inject({ method: 'POST', url: '/api/library/playlists', payload: { name: 'Mine', trackIds: [id] } })
  t.equal(res.statusCode, 201)
  return (res.json() as { id: string }).id
}

async function checkState (t: Test, s: ScanApp, id: string, playlistId: string): Promise<void> {
  const track = (await s.app.inject({ url: `/api/library/tracks/${id}` })).json()
  t.match(track, { id, isFavorite: true, rating: 4, playCount: 1 }, 'favourite, rating and play count kept')
  t.ok(track.lastPlayed, 'last played kept')
  const { rows } = await s.pg.query('SELECT analysis FROM tracks WHERE id = $1', [id])
  t.same(rows[0].analysis, { bpm: 128 }, 'analysis kept')
  const playlist = (await s.app.inject({ url: `/api/library/playlists/${playlistId}` })).json()
  t.same(playlist.trackIds, [id], 'the playlist entry shows')
}

t.test('a file moved within the library keeps its id and state in one scan', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scan(s.app)
    const id = await idOf(s.pg, 'Album/01 Loved.mp3') as string
    const playlist = await giveState(t, s, id)

    await mkdir(join(media, 'Sorted', 'L'), { recursive: true })
    await rename(join(media, 'Album', '01 Loved.mp3'), join(media, 'Sorted', 'L', 'Loved (renamed).mp3'))
    const done = await scan(s.app)
    t.match(done, { status: 'completed', added: 0, updated: 1, removed: 0 }, 'a move is an update, not a removal and an add')
    t.equal(await idOf(s.pg, 'Sorted/L/Loved (renamed).mp3'), id, 'the same id at the new path')
    t.equal(await idOf(s.pg, 'Album/01 Loved.mp3'), undefined)
    await checkState(t, s, id, playlist)
    t.equal((await s.app.inject({ url: `/api/stream/${id}` })).statusCode, 200, 'it streams from the new path')
  })
})

t.test('a file deleted, then restored by a later scan, at the same or another path, keeps its id and state', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const away = await tempDir(t, 'sonantica-away-')
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scan(s.app)
    const id = await idOf(s.pg, 'Album/01 Loved.mp3') as string
    const playlist = await giveState(t, s, id)

    await rename(join(media, 'Album', '01 Loved.mp3'), join(away, 'loved.mp3'))
    t.match(await scan(s.app), { status: 'completed', removed: 1 })
    t.equal((await s.app.inject({ url: `/api/library/tracks/${id}` })).statusCode, 404, 'gone from the library')
    t.same((await s.app.inject({ url: `/api/library/playlists/${playlist}` })).json().trackIds, [], 'its entry hidden')

    await rename(join(away, 'loved.mp3'), join(media, 'Album', '01 Loved.mp3'))
    t.match(await scan(s.app), { status: 'completed', added: 1, removed: 0 })
    t.equal(await idOf(s.pg, 'Album/01 Loved.mp3'), id, 'back at its path with its id')
    await checkState(t, s, id, playlist)

    await rename(join(media, 'Album', '01 Loved.mp3'), join(away, 'loved.mp3'))
    t.match(await scan(s.app), { status: 'completed', removed: 1 })
    await mkdir(join(media, 'Elsewhere'))
    await rename(join(away, 'loved.mp3'), join(media, 'Elsewhere', 'loved.mp3'))
    t.match(await scan(s.app), { status: 'completed', added: 1, removed: 0 })
    t.equal(await idOf(s.pg, 'Elsewhere/loved.mp3'), id, 'back at another path with its id')
    await checkState(t, s, id, playlist)
    const { rows } = await s.pg.query('SELECT count(*)::int AS n FROM retired_tracks')
    t.equal(rows[0].n, 0, 'nothing left retired')
  })
})

t.test('a track indexed before content keys were kept comes back by its path, and gets its key at the next scan', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const away = await tempDir(t, 'sonantica-away-')
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scan(s.app)
    await s.pg.query('UPDATE tracks SET content_key = NULL')
    const id = await idOf(s.pg, 'Album/02 Other.flac') as string
    await rename(join(media, 'Album', '02 Other.flac'), join(away, 'other.flac'))
    t.match(await scan(s.app), { removed: 1 })
    await rename(join(away, 'other.flac'), join(media, 'Album', '02 Other.flac'))
    t.match(await scan(s.app), { added: 1 })
    t.equal(await idOf(s.pg, 'Album/02 Other.flac'), id, 'back by its path')

    // The next scan reads the key of every track that has none, so a later move is recognised.
    await s.pg.query('UPDATE tracks SET content_key = NULL')
    const loved = await idOf(s.pg, 'Album/01 Loved.mp3') as string
    t.match(await scan(s.app), { added: 0, updated: 0, removed: 0 })
    const { rows } = await s.pg.query('SELECT count(*)::int AS n FROM tracks WHERE content_key IS NULL')
    t.equal(rows[0].n, 0, 'every track has its content key again')
    await rename(join(media, 'Album', '01 Loved.mp3'), join(media, 'Loved.mp3'))
    t.match(await scan(s.app), { added: 0, updated: 1, removed: 0 })
    t.equal(await idOf(s.pg, 'Loved.mp3'), loved, 'then moved, it keeps its id')
  })
})
