// A database from before playlists had owners (sql/012) keeps its playlists: they become the first
// admin's, those imported from .m3u files public, the rest private, entries untouched.
import t, { type Test } from 'tap'
import { copyFile, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { MIGRATIONS_DIR, migrate } from '../../../lib/migrate.js'
import { openPglite } from '../../../lib/pglite.js'
import { OWNER_ID } from '../../../lib/users/caller.js'
import type { Env } from '../../../lib/config.js'
import { buildWithEnv, eachVariant, tempDir, testEnv, type Variant } from '../../helper.js'
import { addUser } from '../../fixtures/users.js'
import type { PlaylistT } from '../../../schemas/playlist.js'

const OWNERS_MIGRATION = '012.do.playlist-owners.sql'
const TRACK = '33333333-3333-4333-8333-333333333333'

interface OldDatabase {
  env: Env
  pool: pg.Pool
  // Ends the pool (and closes an embedded database) so the app can open it.
  close: () => Promise<void>
}

// A database migrated up to, not including, sql/012: whatever came before it, 011 included
// once it exists.
async function beforeOwners (t: Test, v: Variant): Promise<OldDatabase> {
  const sql = await tempDir(t, 'sonantica-sql-')
  for (const file of await readdir(MIGRATIONS_DIR)) {
    const version = Number(/^(\d+)\./.exec(file)?.[1])
    if (version < 12) await copyFile(join(MIGRATIONS_DIR, file), join(sql, file))
  }
  const { env, dataDir } = await testEnv(t, { backend: v.backend })
  let pool: pg.Pool
  let closeEmbedded = async (): Promise<void> => {}
  if (v.backend === 'postgres') {
    pool = new pg.Pool({ connectionString: env.POSTGRES_URL })
  } else {
    // testEnv copied a database migrated to the latest version; start from an empty one instead.
    await rm(join(dataDir, 'pglite'), { recursive: true, force: true })
    const db = await openPglite(join(dataDir, 'pglite'))
    pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
    closeEmbedded = async () => { await db.close() }
  }
  let open = true
  const close = async (): Promise<void> => {
    if (!open) return
    open = false
    await pool.end()
    await closeEmbedded()
  }
  t.after(close)
  const before = await migrate(pool, sql)
  t.ok(before.to >= 10 && before.to < 12, `the old database is at version ${before.to}`)
  return { env, pool, close }
}

async function oldPlaylist (pool: pg.Pool, name: string, entries: number): Promise<string> {
  const { rows } = await pool.query<{ id: string }>('INSERT INTO playlists (name) VALUES ($1) RETURNING id', [name])
  for (let i = 0; i < entries; i++) {
    await pool.query('INSERT INTO playlist_entries (playlist_id, position, track_id) VALUES ($1, $2, $3)', [rows[0].id, i, TRACK])
  }
  return rows[0].id
}

async function entryCount (pool: { query: pg.Pool['query'] }, id: string): Promise<number> {
  return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM playlist_entries WHERE playlist_id = $1', [id])).rows[0].n
}

t.test('playlists from before users become the first admin\'s; imported ones public', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const old = await beforeOwners(t, v)
    const mine = await oldPlaylist(old.pool, 'Saved before users', 2)
    const imported = await oldPlaylist(old.pool, 'From a file', 1)
    await old.pool.query('INSERT INTO playlist_files (path, file_size, file_mtime_ms, playlist_id, entries) VALUES ($1, 1, 1, $2, 1)', ['Mix.m3u8', imported])

    // Over the gap where another branch's 011 goes: postgrator applies what it has, in order.
    const after = await migrate(old.pool)
    t.ok(after.applied.some((file) => file.endsWith(OWNERS_MIGRATION)), `${OWNERS_MIGRATION} applied, from version ${after.from}`)
    t.ok(after.to >= 12)
    const { rows } = await old.pool.query<{ name: string, owner_id: string, is_public: boolean }>(
      'SELECT name, owner_id, is_public FROM playlists ORDER BY name')
    t.same(rows, [
      { name: 'From a file', owner_id: OWNER_ID, is_public: true },
      { name: 'Saved before users', owner_id: OWNER_ID, is_public: false }
    ], 'both go to the owner row; the imported one is public')
    t.equal(await entryCount(old.pool, mine), 2, 'entries kept')
    await old.close()

    const app = await buildWithEnv(t, old.env)
    const ana = await addUser(app.pg.pool, 'ana', 'admin')
    const bob = await addUser(app.pg.pool, 'bob', 'user')
    const listOf = async (headers: Record<string, string>): Promise<PlaylistT[]> =>
      ((await app.inject({ url: '/api/library/playlists', headers })).json() as { playlists: PlaylistT[] }).playlists
    const anas = await listOf(ana.headers)
    t.same(anas.map((p) => [p.name, p.owner, p.public]), [
      ['From a file', { id: OWNER_ID, username: 'ana' }, true],
      ['Saved before users', { id: OWNER_ID, username: 'ana' }, false]
    ], 'the first admin, who claimed the owner row, owns them')
    t.same((await listOf(bob.headers)).map((p) => p.name), ['From a file'], 'another user sees only the public one')
    const renamed = await app.inject({ method: 'PATCH', url: `/api/library/playlists/${mine}`, headers: ana.headers, payload: { name: 'Still mine' } })
    t.equal(renamed.statusCode, 200, 'the first admin changes them')
    t.equal(await entryCount(app.pg, mine), 2)
  })
})

t.test('with the owner row gone before the migration, the oldest admin gets the playlists', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const old = await beforeOwners(t, v)
    const first = await addUser(old.pool, 'first', 'admin')
    const second = await addUser(old.pool, 'second', 'admin')
    const third = await addUser(old.pool, 'third', 'admin')
    await old.pool.query('UPDATE users SET created_at = now() + interval \'1 hour\' WHERE id = $1', [third.id])
    await old.pool.query('DELETE FROM users WHERE id = $1', [first.id])
    const id = await oldPlaylist(old.pool, 'Orphan', 1)
    await migrate(old.pool)
    const { rows } = await old.pool.query<{ owner_id: string }>('SELECT owner_id FROM playlists WHERE id = $1', [id])
    t.same(rows, [{ owner_id: second.id }], 'the admin the shared API_KEY acts as now: the oldest')
  })
})
