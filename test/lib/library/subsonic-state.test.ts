// What the OpenSubsonic API keeps per user through the library service (sql/014): stars and
// ratings of albums and artists, the starred time of tracks, late plays, state by ids, starred
// lists, genres and the saved play queue.
import t from 'tap'
import { build, eachVariant, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { addUser } from '../../fixtures/users.js'
import { NO_SUCH_ID, album, artist, ids, track, twoUsers } from '../../fixtures/two-users.js'
import { ListCache } from '../../../lib/db/list-cache.js'
import { createLibrary } from '../../../lib/library/library-service.js'
import { isGoneAccount } from '../../../lib/users/caller.js'

async function libraryVersion (app: TestApp): Promise<number> {
  return (await app.pg.query<{ n: number }>('SELECT max(id)::int AS n FROM library_changes')).rows[0].n
}

t.test('stars and ratings of albums and artists: unknown ids refused, the first star kept, no-ops write nothing', async (t) => {
  const s = await twoUsers(t)
  const { mine, theirs, app } = s
  const abbey = album(s, 'The Beatles', 'Abbey One')
  const bjork = artist(s, 'Björk')

  t.equal(await mine.albums.setState(NO_SUCH_ID, { starred: true }), false, 'no such album')
  t.equal(await mine.artists.setState(NO_SUCH_ID, { rating: 2 }), false, 'no such artist')
  t.equal(await mine.albums.setState(bjork, { starred: true }), false, 'an artist\'s id is no album\'s')
  t.equal(await mine.artists.setState(abbey, { starred: true }), false)
  t.equal(await mine.albums.setState(NO_SUCH_ID, {}), false)
  t.equal(await mine.albums.setState(abbey, {}), true, 'no change asked: whether it exists')
  const { rows: none } = await app.pg.query('SELECT * FROM user_album_state UNION ALL SELECT * FROM user_artist_state')
  t.same(none, [], 'nothing written for an unknown id')

  let version = await libraryVersion(app)
  t.equal(await mine.albums.setState(abbey, { starred: true }), true)
  t.ok(await libraryVersion(app) > version, 'a star moves the library version')
  const first = (await mine.state.albums([abbey])).get(abbey)?.starredAt
  t.ok(first instanceof Date)
  version = await libraryVersion(app)
  t.equal(await mine.albums.setState(abbey, { starred: true }), true, 'starred again')
  t.same((await mine.state.albums([abbey])).get(abbey)?.starredAt, first, 'keeps the first star\'s time')
  t.equal(await libraryVersion(app), version, 'and writes nothing')
  await mine.albums.setState(abbey, { starred: true, rating: 4 })
  t.same((await mine.state.albums([abbey])).get(abbey), { starredAt: first, rating: 4, playCount: 0, lastPlayed: null }, 'a rating beside the star keeps it')
  version = await libraryVersion(app)
  await mine.albums.setState(abbey, { rating: 4 })
  t.equal(await libraryVersion(app), version, 'the same rating again writes nothing')
  await mine.albums.setState(abbey, { starred: false, rating: null })
  t.match((await mine.state.albums([abbey])).get(abbey), { starredAt: null, rating: null }, 'unstarred and unrated')
  t.ok(await libraryVersion(app) > version)
  await mine.albums.setState(abbey, { starred: true })
  t.ok(((await mine.state.albums([abbey])).get(abbey)?.starredAt as Date) > (first as Date), 'starred anew: a new time')

  t.equal(await mine.artists.setState(bjork, { starred: true, rating: 5 }), true)
  t.match((await mine.state.artists([bjork])).get(bjork), { rating: 5, starredAt: Date })
  t.equal((await theirs.state.artists([bjork])).get(bjork), undefined, 'another user\'s state is their own')
  await t.rejects(mine.artists.setState(bjork, { rating: 6 }), { code: '23514' }, 'a rating outside 1..5 is refused by the table')
})

t.test('a starred track records when it was starred, keeps it while starred, and loses it when unstarred', async (t) => {
  const s = await twoUsers(t)
  const { mine, app } = s
  const id = track(s, 'Björk/Vespertine One/1.mp3')
  const starredAt = async (): Promise<Date | null | undefined> => (await mine.state.tracks([id])).get(id)?.starredAt

  await mine.tracks.setState(id, { rating: 2 })
  t.equal(await starredAt(), null, 'rated, not starred')
  await mine.tracks.setState(id, { isFavorite: true })
  const first = await starredAt()
  t.ok(first instanceof Date, 'starred: a time')
  const version = await libraryVersion(app)
  await mine.tracks.setState(id, { isFavorite: true })
  t.equal(await libraryVersion(app), version, 'a favourite set again writes nothing (sql/013)')
  await mine.tracks.setState(id, { isFavorite: true, rating: 5 })
  t.same(await starredAt(), first, 'a rating changed beside it keeps the first time')
  await mine.tracks.setState(id, { isFavorite: false })
  t.equal(await starredAt(), null, 'unstarred: no time')
  const other = track(s, 'Björk/Vespertine One/2.mp3')
  await mine.tracks.setState(other, { isFavorite: true })
  t.ok((await mine.state.tracks([other])).get(other)?.starredAt instanceof Date, 'a first row made starred has its time')
})

t.test('a late play counts but never moves last_played back', async (t) => {
  const s = await twoUsers(t)
  const { mine } = s
  const id = track(s, 'Björk/Vespertine One/1.mp3')

  t.match(await mine.tracks.recordPlay(id, new Date('2025-06-01T10:00:00Z')), { playCount: 1, lastPlayed: '2025-06-01T10:00:00.000Z' })
  t.match(await mine.tracks.recordPlay(id, new Date('2025-05-01T10:00:00Z')), { playCount: 2, lastPlayed: '2025-06-01T10:00:00.000Z' },
    'an older play: counted, last_played kept')
  t.match(await mine.tracks.recordPlay(id, new Date('2025-07-01T10:00:00Z')), { playCount: 3, lastPlayed: '2025-07-01T10:00:00.000Z' })
  const before = Date.now()
  const now = await mine.tracks.recordPlay(id)
  t.equal(now?.playCount, 4)
  t.ok(Date.parse(now?.lastPlayed as string) >= before - 5000, 'no time given: now')
  t.equal(await mine.tracks.recordPlay(NO_SUCH_ID, new Date()), null)
})

t.test('state maps: the viewer\'s stars, ratings and plays of tracks, albums and artists', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { mine, theirs } = s
    const [t1, t2, t3] = ['Björk/Vespertine One/1.mp3', 'Björk/Vespertine One/2.mp3', 'Björk/Vespertine Two/1.mp3'].map((p) => track(s, p))
    const [v1, v2, v3] = ['Vespertine One', 'Vespertine Two', 'Vespertine Three'].map((a) => album(s, 'Björk', a))
    const bjork = artist(s, 'Björk')
    const beatles = artist(s, 'The Beatles')

    await mine.tracks.recordPlay(t1, new Date('2025-01-01Z'))
    await mine.tracks.recordPlay(t1, new Date('2025-02-01Z'))
    await mine.tracks.recordPlay(t2, new Date('2025-03-01Z'))
    await mine.tracks.recordPlay(t3, new Date('2024-01-01Z'))
    await mine.tracks.setState(t2, { isFavorite: true, rating: 4 })
    await theirs.tracks.recordPlay(t1, new Date('2026-01-01Z'))
    await mine.albums.setState(v2, { rating: 2 })
    await mine.albums.setState(v3, { starred: true })
    await mine.artists.setState(beatles, { rating: 1 })

    const tracks = await mine.state.tracks([t1, t2, t3, NO_SUCH_ID, t1])
    t.same([...tracks.keys()].sort(), [t1, t2, t3].sort(), 'tracks never touched are absent')
    t.same(tracks.get(t1), { starredAt: null, rating: null, playCount: 2, lastPlayed: new Date('2025-02-01Z') })
    t.match(tracks.get(t2), { starredAt: Date, rating: 4, playCount: 1, lastPlayed: new Date('2025-03-01Z') })
    t.same(await mine.state.tracks([]), new Map())

    const albums = await mine.state.albums([v1, v2, v3, album(s, 'Aphex Twin', 'Drukqs One'), NO_SUCH_ID])
    t.same([...albums.keys()].sort(), [v1, v2, v3].sort(), 'albums never starred, rated or played are absent')
    t.same(albums.get(v1), { starredAt: null, rating: null, playCount: 3, lastPlayed: new Date('2025-03-01Z') }, 'the sum and latest of its tracks\' plays')
    t.same(albums.get(v2), { starredAt: null, rating: 2, playCount: 1, lastPlayed: new Date('2024-01-01Z') })
    t.match(albums.get(v3), { starredAt: Date, rating: null, playCount: 0, lastPlayed: null })

    const artists = await mine.state.artists([bjork, beatles, artist(s, 'Nina Simone')])
    t.same(artists.get(bjork), { starredAt: null, rating: null, playCount: 4, lastPlayed: new Date('2025-03-01Z') }, 'over the artist\'s tracks')
    t.same(artists.get(beatles), { starredAt: null, rating: 1, playCount: 0, lastPlayed: null })
    t.equal(artists.has(artist(s, 'Nina Simone')), false)

    t.same((await theirs.state.albums([v1])).get(v1), { starredAt: null, rating: null, playCount: 1, lastPlayed: new Date('2026-01-01Z') }, 'each user their own plays')
  })
})

t.test('one query per state map, whatever the number of ids', async (t) => {
  const s = await twoUsers(t)
  let queries = 0
  const db = { query: async (...args: Parameters<typeof s.app.pg.query>) => { queries++; return await s.app.pg.query(...args) } }
  const library = createLibrary({ db: db as typeof s.app.pg, listCache: new ListCache() }).as(s.admin.id)
  await library.state.tracks([...s.seeded.trackIds.values()])
  await library.state.albums([...s.seeded.albumIds.values()])
  await library.state.artists([...s.seeded.artistIds.values()])
  t.equal(queries, 3)
})

t.test('starred lists: artists, albums and tracks, newest star first, in the /api shapes', async (t) => {
  const s = await twoUsers(t)
  const { mine, theirs, app } = s
  const [t1, t2] = ['Björk/Vespertine One/1.mp3', 'Aphex Twin/Drukqs One/1.mp3'].map((p) => track(s, p))
  const [a1, a2] = [album(s, 'Björk', 'Vespertine One'), album(s, 'Sigur Rós', 'Takk Two')]
  const [r1, r2] = [artist(s, 'Björk'), artist(s, 'Nina Simone')]

  t.same(await mine.starred(), { artists: [], albums: [], tracks: [] })
  for (const id of [t1, t2]) await mine.tracks.setState(id, { isFavorite: true })
  for (const id of [a1, a2]) await mine.albums.setState(id, { starred: true })
  for (const id of [r1, r2]) await mine.artists.setState(id, { starred: true, rating: 3 })
  await mine.albums.setState(album(s, 'Björk', 'Vespertine Two'), { rating: 5 })
  await theirs.tracks.setState(track(s, 'Nina Simone/Pastel One/1.mp3'), { isFavorite: true })
  // The first of each starred later than the second.
  for (const [table, key, later] of [['user_track_state', 'track_id', t1], ['user_album_state', 'album_id', a1], ['user_artist_state', 'artist_id', r1]]) {
    await app.pg.query(`UPDATE ${table} SET starred_at = CASE ${key} WHEN $1 THEN timestamptz '2025-02-01Z' ELSE timestamptz '2025-01-01Z' END
      WHERE user_id = $2 AND starred_at IS NOT NULL`, [later, s.admin.id])
  }

  const starred = await mine.starred()
  t.same(ids(starred.tracks), [t1, t2])
  t.same(ids(starred.albums), [a1, a2], 'rated only: not starred')
  t.same(ids(starred.artists), [r1, r2])
  t.same(starred.tracks[0], await mine.tracks.byId(t1), 'a Track as /api shows it, with the viewer\'s state')
  t.same(starred.albums[1], await mine.albums.byId(a2))
  t.same(starred.artists[0], await mine.artists.byId(r1))
  t.same(ids((await theirs.starred()).tracks), [track(s, 'Nina Simone/Pastel One/1.mp3')], 'another user\'s are theirs')
})

t.test('genres: every value of every track, with its songs and albums, by name', async (t) => {
  const app = await build(t)
  const library = createLibrary({ db: app.pg, listCache: new ListCache() }).as((await addUser(app.pg, 'admin', 'admin')).id)
  t.same(await library.genres(), [], 'no tracks, no genres')
  await seedLibrary(app.pg, [
    { path: 'a/1.mp3', title: 'One', artist: 'A', album: 'X', genres: ['Rock', 'ambient'] },
    { path: 'a/2.mp3', title: 'Two', artist: 'A', album: 'X', genres: ['Rock'] },
    { path: 'a/3.mp3', title: 'Three', artist: 'A', album: 'Y', genres: ['Rock', 'Électro'] },
    { path: 'b/1.mp3', title: 'Four', artist: 'B', album: 'Z', genres: [] },
    { path: 'b/2.mp3', title: 'Five', artist: 'B', album: 'Z', genres: ['Ambient'] }
  ])
  t.same(await library.genres(), [
    { name: 'Ambient', songCount: 1, albumCount: 1 },
    { name: 'ambient', songCount: 1, albumCount: 1 },
    { name: 'Rock', songCount: 3, albumCount: 2 },
    { name: 'Électro', songCount: 1, albumCount: 1 }
  ], 'distinct values apart, case-insensitive order, the same on either database')
})

t.test('the play queue: saved whole, replaced, deleted when empty, one per user', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { mine, theirs } = s
    const [a, b, c] = [...s.seeded.trackIds.values()]

    t.equal(await mine.queue.get(), null, 'none saved')
    const before = Date.now()
    await mine.queue.save({ trackIds: [a, b, NO_SUCH_ID, a], currentId: b, positionMs: 123_456_789_012, changedBy: 'DSub' })
    const saved = await mine.queue.get()
    t.match(saved, { trackIds: [a, b, NO_SUCH_ID, a], currentId: b, positionMs: 123_456_789_012, changedBy: 'DSub' },
      'in order, repeats and unknown ids kept, a position past 2^32 exact')
    t.ok(saved !== null && saved.changedAt instanceof Date && saved.changedAt.getTime() >= before - 5000)
    t.equal(await theirs.queue.get(), null, 'another user\'s is their own')

    await mine.queue.save({ trackIds: [c], currentId: null, positionMs: 0, changedBy: 'Symfonium' })
    t.match(await mine.queue.get(), { trackIds: [c], currentId: null, positionMs: 0, changedBy: 'Symfonium' }, 'replaced whole')
    t.ok(((await mine.queue.get())?.changedAt as Date) >= (saved?.changedAt as Date))
    await theirs.queue.save({ trackIds: [a], currentId: a, positionMs: 5, changedBy: '' })

    await mine.queue.save({ trackIds: [], currentId: null, positionMs: 0, changedBy: 'DSub' })
    t.equal(await mine.queue.get(), null, 'an empty queue deletes it')
    t.match(await theirs.queue.get(), { trackIds: [a] }, 'only the viewer\'s')
    await mine.queue.save({ trackIds: [], currentId: null, positionMs: 0, changedBy: 'DSub' })
    t.equal(await mine.queue.get(), null, 'deleting none is no error')
  })
})

t.test('a deleted user\'s stars, ratings and queue go with them', async (t) => {
  const s = await twoUsers(t)
  const { theirs, app, other } = s
  const id = track(s, 'Björk/Vespertine One/1.mp3')
  await theirs.albums.setState(album(s, 'The Beatles', 'Abbey One'), { starred: true })
  await theirs.artists.setState(artist(s, 'Björk'), { rating: 2 })
  await theirs.tracks.setState(id, { isFavorite: true })
  await theirs.queue.save({ trackIds: [id], currentId: id, positionMs: 1, changedBy: 'x' })

  await app.pg.query('DELETE FROM users WHERE id = $1', [other.id])
  const { rows } = await app.pg.query<{ n: number }>(`SELECT (
    (SELECT count(*) FROM user_album_state WHERE user_id = $1) + (SELECT count(*) FROM user_artist_state WHERE user_id = $1) +
    (SELECT count(*) FROM user_track_state WHERE user_id = $1) + (SELECT count(*) FROM play_queues WHERE user_id = $1))::int AS n`, [other.id])
  t.equal(rows[0].n, 0, 'every row of theirs is gone')
})

t.test('a write for a user deleted meanwhile is refused as an account that no longer exists', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { theirs, app, other } = s
    const id = track(s, 'Björk/Vespertine One/1.mp3')
    await app.pg.query('DELETE FROM users WHERE id = $1', [other.id])
    const writes = Object.entries({
      album: async () => await theirs.albums.setState(album(s, 'The Beatles', 'Abbey One'), { starred: true }),
      artist: async () => await theirs.artists.setState(artist(s, 'Björk'), { rating: 1 }),
      queue: async () => { await theirs.queue.save({ trackIds: [id], currentId: null, positionMs: 0, changedBy: 'x' }) },
      track: async () => await theirs.tracks.setState(id, { isFavorite: true }),
      play: async () => await theirs.tracks.recordPlay(id)
    })
    // PGlite's node-postgres adapter loses the connection on the query right after a foreign key
    // error (user_track_state's as well): there, only the first write is tried.
    for (const [name, write] of v.backend === 'pglite' ? writes.slice(0, 1) : writes) {
      const err = await write().then(() => null, (e: unknown) => e)
      t.ok(isGoneAccount(err), `${name}: refused`, { constraint: (err as { constraint?: string } | null)?.constraint })
    }
  })
})
