// Favourites saved before sql/014 become starred tracks with a starred time, so Subsonic clients
// list them among the starred; other rows stay unstarred.
import t from 'tap'
import { OWNER_ID } from '../../../lib/users/caller.js'
import { buildWithEnv, eachVariant } from '../../helper.js'
import { databaseAt } from '../../fixtures/database-at.js'

t.test('favourites from before are starred; nothing else is', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { env, pool, done } = await databaseAt(t, v.backend, 13)
    const [loved, rated] = ['44444444-4444-4444-8444-444444444444', '55555555-5555-4555-8555-555555555555']
    await pool.query(`INSERT INTO user_track_state (user_id, track_id, is_favorite, rating, play_count)
      VALUES ($1, $2, true, NULL, 0), ($1, $3, false, 3, 2)`, [OWNER_ID, loved, rated])
    await done()

    const before = Date.now()
    const app = await buildWithEnv(t, env)
    const { rows } = await app.pg.query<{ track_id: string, is_favorite: boolean, starred_at: Date | null }>(
      'SELECT track_id, is_favorite, starred_at FROM user_track_state ORDER BY track_id')
    t.match(rows, [{ track_id: loved, is_favorite: true, starred_at: Date }, { track_id: rated, is_favorite: false, starred_at: null }])
    t.ok(new Date(rows[0].starred_at as Date).getTime() >= before - 60_000, 'starred when the migration ran')
  })
})
