// Users from before sql/015 get no stream cap, and the database itself refuses a cap outside the
// lossy range, whatever writes it.
import t from 'tap'
import { buildWithEnv, eachVariant } from '../../helper.js'
import { databaseAt } from '../../fixtures/database-at.js'

t.test('existing users are uncapped; a cap outside 32-320 kbps is refused by the table', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { env, pool, done } = await databaseAt(t, v.backend, 14)
    const { rows: [bo] } = await pool.query<{ id: string }>(
      'INSERT INTO users (username, password_hash) VALUES ($1, $2) RETURNING id', ['bo', 'not a real hash'])
    await done()

    const app = await buildWithEnv(t, env)
    const { rows } = await app.pg.query<{ max_bitrate: number | null }>('SELECT max_bitrate FROM users WHERE id = $1', [bo.id])
    t.same(rows, [{ max_bitrate: null }])
    // Without parameters (the simple protocol): through PGlite's node-postgres adapter, a second
    // failing parameterised query in a row loses the connection, which is not what is tested here.
    for (const bad of [31, 321]) {
      await t.rejects(app.pg.query(`UPDATE users SET max_bitrate = ${bad} WHERE id = '${bo.id}'`), { code: '23514' }, `${bad} breaks the CHECK`)
    }
    await app.pg.query('UPDATE users SET max_bitrate = 32 WHERE id = $1', [bo.id])
    await app.pg.query('UPDATE users SET max_bitrate = 320 WHERE id = $1', [bo.id])
    t.pass('32 and 320 are allowed')
  })
})
