// Favourites saved before sql/014 become starred tracks with a starred time, so Subsonic clients
// list them among the starred; other rows stay unstarred.
import t, { type Test } from 'tap'
import { copyFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { MIGRATIONS_DIR, migrate } from '../../../lib/migrate.js'
import { pgliteOptions } from '../../../lib/pglite.js'
import { OWNER_ID } from '../../../lib/users/caller.js'
import { buildWithEnv, eachVariant, tempDir, testEnv } from '../../helper.js'
import type { Env } from '../../../lib/config.js'
import type { Backend } from '../../helper.js'

// An app environment whose database is migrated to sql/013 only, and a pool on it until `done`.
async function databaseAt013 (t: Test, backend: Backend): Promise<{ env: Env, pool: pg.Pool, done: () => Promise<void> }> {
  const { env } = await testEnv(t, { backend })
  const sql = await tempDir(t, 'sonantica-sql-')
  for (const file of await readdir(MIGRATIONS_DIR)) {
    if (Number(/^\d+/.exec(file)?.[0] ?? Infinity) <= 13) await copyFile(join(MIGRATIONS_DIR, file), join(sql, file))
  }
  if (backend === 'postgres') {
    const pool = new pg.Pool({ connectionString: env.POSTGRES_URL })
    t.match(await migrate(pool, sql), { to: 13 })
    return { env, pool, done: async () => { await pool.end() } }
  }
  // testEnv copied a fully migrated template: replace it by a database made here.
  const dir = join(env.DATA_DIR as string, 'pglite')
  await rm(dir, { recursive: true, force: true })
  const db = new PGlite(dir, pgliteOptions())
  await db.waitReady
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  t.match(await migrate(pool, sql), { to: 13 })
  return { env, pool, done: async () => { await pool.end(); await db.close() } }
}

t.test('favourites from before are starred; nothing else is', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { env, pool, done } = await databaseAt013(t, v.backend)
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
