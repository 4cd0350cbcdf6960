// A library indexed before sql/009 keeps its rows, ids and title order once the tracks' sort key
// is renamed, and the renamed column still moves the library version when it changes.
import t from 'tap'
import { copyFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import pg from 'pg'
import { MIGRATIONS_DIR, migrate } from '../../../lib/migrate.js'
import { buildWithEnv, skipReason, testEnv, tempDir } from '../../helper.js'
import { seedTrackBefore009 } from '../../fixtures/seed-track.js'
import type { TrackT } from '../../../schemas/library.js'

const skip = await skipReason({ postgres: true })

t.test('an existing database: tracks.title_key becomes sort_key, rows and title order unchanged', { skip }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres' })
  const before = await tempDir(t, 'sonantica-sql-')
  for (const file of await readdir(MIGRATIONS_DIR)) {
    if (/^\d+/.test(file) && Number(/^\d+/.exec(file)?.[0]) < 9) await copyFile(join(MIGRATIONS_DIR, file), join(before, file))
  }
  const pool = new pg.Pool({ connectionString: env.POSTGRES_URL })
  t.after(() => pool.end())
  t.match(await migrate(pool, before), { to: 8 })
  const titles = ['Help!', 'The Ballad of John and Yoko', 'Across the Universe', 'Yesterday', 'A Hard Day\'s Night']
  const ids = new Map<string, string>()
  for (const [i, title] of titles.entries()) ids.set(title, await seedTrackBefore009(pool, { filePath: `${i}.mp3`, title }))
  await pool.query('UPDATE tracks SET play_count = 3, rating = 5 WHERE id = $1', [ids.get('Yesterday')])
  const oldRows = (await pool.query('SELECT id, title, title_key, search_key FROM tracks ORDER BY title_key, id')).rows

  const app = await buildWithEnv(t, env)
  const { rows: version } = await app.pg.query<{ version: number }>('SELECT max(version)::int AS version FROM schema_migrations')
  t.ok(version[0].version >= 9, 'sql/009 ran at start-up')
  const { rows: columns } = await app.pg.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = \'tracks\' AND column_name IN (\'title_key\', \'sort_key\')')
  t.same(columns.map((c) => c.column_name), ['sort_key'], 'one column, named as on albums and artists')
  const newRows = (await app.pg.query('SELECT id, title, sort_key AS title_key, search_key FROM tracks ORDER BY sort_key, id')).rows
  t.same(newRows, oldRows, 'every row kept, with its key, in the same order')

  const listed = (await app.inject('/api/library/tracks?sort=title')).json().tracks as TrackT[]
  t.same(listed.map((x) => x.title), ['Across the Universe', 'The Ballad of John and Yoko', 'A Hard Day\'s Night', 'Help!', 'Yesterday'],
    'titles list by their article-stripped key, as before')
  t.match(listed.find((x) => x.title === 'Yesterday'), { id: ids.get('Yesterday'), playCount: 3, rating: 5 }, 'ids and user state kept')

  const { rows: indexes } = await app.pg.query<{ indexname: string, indexdef: string }>(
    'SELECT indexname, indexdef FROM pg_indexes WHERE tablename = \'tracks\' AND indexdef LIKE \'%sort_key%\' ORDER BY indexname')
  t.same(indexes.map((i) => i.indexname), ['tracks_sort_idx', 'tracks_sort_prefix_idx'], 'the indexes on the column are renamed with it')

  // The response cache is keyed on the library version, which this column must still move.
  const changes = async (): Promise<number> => (await app.pg.query<{ n: number }>('SELECT max(id)::int AS n FROM library_changes')).rows[0].n
  const was = await changes()
  await app.pg.query('UPDATE tracks SET sort_key = \'aardvark\' WHERE id = $1', [ids.get('Yesterday')])
  t.ok(await changes() > was, 'an update of sort_key is a library change')
})
