import t from 'tap'
import { readdir } from 'node:fs/promises'
import pg from 'pg'
import { MIGRATIONS_DIR } from '../../lib/migrate.js'
import { buildWithEnv, PG_ADMIN_URL, skipReason, testEnv, tempDir } from '../helper.js'

const skip = await skipReason({ postgres: true })

t.test('two processes starting together on a new database apply each migration exactly once', { skip }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres' })
  const second = { ...env, DATA_DIR: await tempDir(t, 'sonantica-data-') }
  const [a, b] = await Promise.all([buildWithEnv(t, env), buildWithEnv(t, second)])
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql'))
  const { rows } = await a.pg.query('SELECT version, count(*)::int AS n FROM schema_migrations WHERE version > 0 GROUP BY version ORDER BY version')
  t.equal(rows.length, files.length, 'every migration recorded')
  t.ok(rows.every((r) => r.n === 1), 'each once')
  for (const app of [a, b]) {
    const res = await app.inject('/api/library/tracks')
    t.equal(res.statusCode, 200, 'both serve the migrated schema')
  }
})

t.test('a connection the server drops while checked out does not take the service down', { skip }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres' })
  const app = await buildWithEnv(t, env)
  const client = await app.pg.connect()
  const ended = new Promise((resolve) => client.once('end', resolve))
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  t.after(() => admin.end())
  // Between two statements of a transaction, as when PostgreSQL restarts mid index batch.
  await client.query('BEGIN')
  await admin.query('SELECT pg_terminate_backend($1)', [(client as unknown as { processID: number }).processID])
  await ended
  await t.rejects(client.query('SELECT 1'), 'the dropped client fails its next query')
  client.release()
  t.equal((await app.inject('/health/ready')).statusCode, 200, 'the pool opens a new connection')
  t.equal((await app.inject('/api/library/tracks')).statusCode, 200, 'and the library answers')
})
