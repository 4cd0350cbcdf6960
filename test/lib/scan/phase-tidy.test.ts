// Phase 3 on its own: after the batches, the library is brought in line with what the walk saw.
import t from 'tap'
import { tidyLibrary } from '../../../lib/scan/phase-tidy.js'
import { getScan, scanErrors } from '../../../lib/scan/scan-repository.js'
import type { WalkResult } from '../../../lib/scan/walk.js'
import { tempDir } from '../../helper.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { runningScan, scanDatabase } from './phase-fixtures.js'

const paths = async (db: Awaited<ReturnType<typeof scanDatabase>>, table: string): Promise<string[]> =>
  (await db.query<{ file_path: string }>(`SELECT file_path FROM ${table} ORDER BY file_path`)).rows.map((r) => r.file_path)

t.test('gone files go, unreadable folders are kept with a warning, empty albums and artists go', async (t) => {
  const db = await scanDatabase(t)
  const root = await tempDir(t, 'sonantica-phase-tidy-')
  for (const filePath of ['a.mp3', 'gone.mp3', 'locked/x.mp3']) await seedTrack(db, { filePath })
  await db.query(`INSERT INTO unindexed_files (path, file_size, file_mtime_ms, message, skipped)
    VALUES ('old-bad.mp3', 1, 1, 'broken', false)`)
  const scan = await runningScan(db)
  const walk: WalkResult = { folderCovers: new Map([['', 'cover.jpg']]), unreadable: new Map([['locked', 'EACCES']]) }

  const { removed } = await tidyLibrary({ pool: db, scanId: scan.id, root, mediaPath: root, walk, seen: ['a.mp3'], scope: undefined, signal: new AbortController().signal })

  t.equal(removed, 1)
  t.same(await paths(db, 'tracks'), ['a.mp3', 'locked/x.mp3'])
  t.same(await paths(db, 'retired_tracks'), ['gone.mp3'], 'the gone track keeps its id and state for its return')
  const { rows: counts } = await db.query<{ albums: number, artists: number }>(
    'SELECT (SELECT count(*) FROM albums)::int AS albums, (SELECT count(*) FROM artists)::int AS artists')
  t.same(counts[0], { albums: 2, artists: 2 }, 'the gone track\'s album and artist went with it')
  const errors = await scanErrors(db, scan.id)
  t.same(errors.map((e) => e.path), ['locked'])
  t.match(errors[0].message, /^warning: folder could not be read \(EACCES\); the 1 indexed track under it were kept/)
  t.match(await getScan(db, scan.id), { warnings: 1, failed: 0 })
  const { rows: unindexed } = await db.query('SELECT path FROM unindexed_files')
  t.same(unindexed, [], 'a bad file that is gone is forgotten')
  const { rows: covers } = await db.query<{ cover_source: string | null }>(
    'SELECT al.cover_source FROM albums al JOIN tracks t ON t.album_id = al.id WHERE t.file_path = \'a.mp3\'')
  t.same(covers, [{ cover_source: 'file:cover.jpg' }], 'the folder image beside the album becomes its cover')
})

t.test('a scoped tidy removes only within its folders', async (t) => {
  const db = await scanDatabase(t)
  const root = await tempDir(t, 'sonantica-phase-tidy-')
  for (const filePath of ['a/1.mp3', 'b/2.mp3', 'b/3.mp3']) await seedTrack(db, { filePath })
  const scan = await runningScan(db)
  const { removed } = await tidyLibrary({
    pool: db,
    scanId: scan.id,
    root,
    mediaPath: root,
    walk: { folderCovers: new Map() },
    seen: ['b/2.mp3'],
    scope: { walk: ['b'], remove: ['b'] },
    signal: new AbortController().signal
  })
  t.equal(removed, 1)
  t.same(await paths(db, 'tracks'), ['a/1.mp3', 'b/2.mp3'], 'a/1.mp3 was not walked, so it stays')
})
