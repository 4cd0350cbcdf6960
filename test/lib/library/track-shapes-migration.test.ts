// A library indexed before sql/008 (long codec names, bits per second, NULL durations) shows the
// apps' shapes as soon as the new version starts: no rescan.
import t from 'tap'
import { copyFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { MIGRATIONS_DIR, migrate } from '../../../lib/migrate.js'
import { buildWithEnv, skipReason, testEnv, tempDir } from '../../helper.js'
import { seedTrackBefore009 } from '../../fixtures/seed-track.js'

const skip = await skipReason({ postgres: true })

t.test('an existing database: short codecs, kbps, durations and ratings without a rescan', { skip }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres' })
  const before = await tempDir(t, 'sonantica-sql-')
  for (const file of await readdir(MIGRATIONS_DIR)) {
    if (/^\d+/.test(file) && Number(/^\d+/.exec(file)?.[0]) < 8) await copyFile(join(MIGRATIONS_DIR, file), join(before, file))
  }
  const pool = new pg.Pool({ connectionString: env.POSTGRES_URL })
  t.after(() => pool.end())
  await migrate(pool, before)
  const old = [
    { filePath: 'a.mp3', container: 'MPEG', codec: 'MPEG 1 Layer 3', bitrate: 192000, duration: 201.5 },
    { filePath: 'b.m4a', container: 'M4A/isom/iso2', codec: 'MPEG-4/AAC', bitrate: 255_700, duration: null },
    { filePath: 'c.wv', container: 'WavPack', codec: 'PCM', bitrate: 917_321, duration: 60 },
    // What an older scan stored for a truncated Ogg Opus file.
    { filePath: 'd.opus', container: 'Ogg', codec: 'Opus', bitrate: 1920, duration: -0.0065 }
  ]
  const ids = new Map<string, string>()
  for (const row of old) {
    const id = await seedTrackBefore009(pool, { filePath: row.filePath, container: row.container, codec: row.codec })
    await pool.query('UPDATE tracks SET bitrate = $2, duration = $3 WHERE id = $1', [id, row.bitrate, row.duration])
    ids.set(row.filePath, id)
  }

  const app = await buildWithEnv(t, env)
  const { rows } = await app.pg.query<{ version: string }>('SELECT max(version)::text AS version FROM schema_migrations')
  t.ok(Number(rows[0].version) >= 8, 'sql/008 ran at start-up')
  const track = async (path: string) => (await app.inject(`/api/library/tracks/${ids.get(path) as string}`)).json()
  t.match(await track('a.mp3'), { duration: 201.5, rating: null, format: { codec: 'mp3', container: 'MPEG', bitrate: 192 } })
  t.match(await track('b.m4a'), { duration: 0, format: { codec: 'aac', container: 'M4A/isom/iso2', bitrate: 256 } })
  t.match(await track('c.wv'), { duration: 60, format: { codec: 'wavpack', container: 'WavPack', bitrate: 917 } })
  t.match(await track('d.opus'), { duration: 0, format: { codec: 'opus', bitrate: 2 } })
  const { rows: lengths } = await app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks WHERE duration IS NULL OR duration < 0')
  t.equal(lengths[0].n, 0, 'no NULL or negative durations are left')
  const stored = await app.pg.query('SELECT codec, bitrate FROM tracks WHERE file_path = $1', ['a.mp3'])
  t.same(stored.rows, [{ codec: 'MPEG 1 Layer 3', bitrate: 192000 }], 'the database keeps what the file said')
  const patched = await app.inject({ method: 'PATCH', url: `/api/library/tracks/${ids.get('c.wv') as string}`, payload: { rating: 4 } })
  t.equal(patched.json().rating, 4, 'and ratings work on the old rows')
})
