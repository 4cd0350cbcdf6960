// A library from before users (sql/009) keeps its favourites, ratings and plays, those of its
// retired tracks included, once they move to user_track_state (sql/011): they are the owner's,
// and the first admin, who claims the owner row, sees them.
import t from 'tap'
import { OWNER_ID } from '../../../lib/users/caller.js'
import { buildWithEnv, eachVariant } from '../../helper.js'
import { databaseAt } from '../../fixtures/database-at.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { addUser } from '../../fixtures/users.js'
import type { TrackT } from '../../../schemas/library.js'

t.test('favourites, ratings and plays of tracks and retired tracks become the first admin\'s', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { env, pool, done } = await databaseAt(t, v.backend, 9)
    const loved = await seedTrack(pool, { filePath: 'a/loved.mp3', title: 'Loved' })
    const played = await seedTrack(pool, { filePath: 'a/played.mp3', title: 'Played' })
    const rated = await seedTrack(pool, { filePath: 'a/rated.mp3', title: 'Rated' })
    const plain = await seedTrack(pool, { filePath: 'a/plain.mp3', title: 'Plain' })
    await pool.query('UPDATE tracks SET is_favorite = true, rating = 5 WHERE id = $1', [loved])
    await pool.query('UPDATE tracks SET play_count = 7, last_played = \'2025-03-04T05:06:07Z\' WHERE id = $1', [played])
    await pool.query('UPDATE tracks SET rating = 2 WHERE id = $1', [rated])
    // A track a scan removed while its file was away, with its state kept for its return.
    const retired = '22222222-2222-4222-8222-222222222222'
    await pool.query(`INSERT INTO retired_tracks (id, file_path, content_key, play_count, last_played, is_favorite, rating, added_at)
      VALUES ($1, 'b/away.mp3', 'key', 3, '2025-01-02T03:04:05Z', true, 4, now())`, [retired])
    await pool.query('INSERT INTO retired_tracks (id, file_path, added_at) VALUES ($1, \'b/nothing.mp3\', now())', ['33333333-3333-4333-8333-333333333333'])
    await done()

    const app = await buildWithEnv(t, env)
    const { rows: version } = await app.pg.query<{ version: number }>('SELECT max(version)::int AS version FROM schema_migrations')
    t.ok(version[0].version >= 11, 'sql/010 and sql/011 ran at start-up')
    const { rows: columns } = await app.pg.query<{ table_name: string, column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_name IN ('tracks', 'retired_tracks') AND column_name IN ('play_count', 'last_played', 'is_favorite', 'rating')`)
    t.same(columns, [], 'the columns are gone from tracks and retired_tracks')

    const { rows: state } = await app.pg.query(
      'SELECT user_id, track_id, is_favorite, rating, play_count, last_played FROM user_track_state ORDER BY track_id')
    t.same(state.map((r) => r.track_id).sort(), [loved, played, rated, retired].sort(), 'only rows with some state, retired ones included')
    t.ok(state.every((r) => r.user_id === OWNER_ID), 'all the owner\'s')
    t.match(state.find((r) => r.track_id === retired), { is_favorite: true, rating: 4, play_count: 3 })

    const admin = await addUser(app.pg, 'admin', 'admin')
    t.equal(admin.id, OWNER_ID, 'the first admin claims the owner row')
    const other = await addUser(app.pg, 'other')
    const list = async (headers: Record<string, string>): Promise<Map<string, TrackT>> => {
      const res = await app.inject({ url: '/api/library/tracks?limit=500', headers })
      t.equal(res.statusCode, 200)
      return new Map((res.json().tracks as TrackT[]).map((x) => [x.id, x]))
    }
    const seen = await list(admin.headers)
    t.match(seen.get(loved), { isFavorite: true, rating: 5, playCount: 0, lastPlayed: null }, 'the admin sees the favourite and its rating')
    t.match(seen.get(played), { isFavorite: false, rating: null, playCount: 7, lastPlayed: '2025-03-04T05:06:07.000Z' }, 'the plays')
    t.match(seen.get(rated), { rating: 2 })
    t.match(seen.get(plain), { isFavorite: false, rating: null, playCount: 0, lastPlayed: null })
    const favourites = (await app.inject({ url: '/api/library/tracks?favorite=true', headers: admin.headers })).json().tracks as TrackT[]
    t.same(favourites.map((x) => x.id), [loved], 'and lists them as favourites')
    for (const track of (await list(other.headers)).values()) {
      t.match(track, { isFavorite: false, rating: null, playCount: 0, lastPlayed: null }, `another user sees none of it: ${track.title}`)
    }

    // The recreated trigger and the new one still move the library version (sql/003).
    const changes = async (): Promise<number> => (await app.pg.query<{ n: number }>('SELECT max(id)::int AS n FROM library_changes')).rows[0].n
    let was = await changes()
    await app.pg.query('UPDATE tracks SET title = \'Loved!\' WHERE id = $1', [loved])
    t.ok(await changes() > was, 'a shown tracks column moves it')
    was = await changes()
    await app.pg.query('UPDATE user_track_state SET rating = 3 WHERE track_id = $1', [loved])
    t.ok(await changes() > was, 'so does a change of anyone\'s state')
    was = await changes()
    await app.pg.query('UPDATE tracks SET analysis = \'{"bpm":1}\' WHERE id = $1', [loved])
    t.equal(await changes(), was, 'analysis still does not')
  })
})
