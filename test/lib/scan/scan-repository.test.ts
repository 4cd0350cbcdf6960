// The scan row's writers: a scan job run again (its worker died) lists and counts each known
// problem and warning once, and an index batch's errors and counts land together.
import t from 'tap'
import { getScan, recordIndexBatch, recordKnownProblems, recordWarnings, scanErrors } from '../../../lib/scan/scan-repository.js'
import { runningScan, scanDatabase } from './phase-fixtures.js'

t.test('known problems and warnings are listed and counted once per path', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  const known = [
    { path: 'bad.mp3', message: 'no frames', skipped: false },
    { path: 'clip.mp4', message: 'video only', skipped: true }
  ]
  await recordKnownProblems(db, scan.id, known)
  await recordKnownProblems(db, scan.id, [...known, { path: 'worse.mp3', message: 'truncated', skipped: false }])
  await recordWarnings(db, scan.id, [{ path: 'locked', message: 'warning: kept' }])
  await recordWarnings(db, scan.id, [{ path: 'locked', message: 'warning: kept' }])
  t.match(await getScan(db, scan.id), { failed: 2, skipped: 1, warnings: 1 })
  t.same((await scanErrors(db, scan.id)).map((e) => e.path), ['bad.mp3', 'clip.mp4', 'worse.mp3', 'locked'])
})

t.test('an index batch adds its errors and its counts', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  await recordIndexBatch(db, scan.id, [{ path: 'x.mp3', message: 'unreadable' }], { processed: 4, added: 2, updated: 1, failed: 1, skipped: 0, lastFile: 'x.mp3' })
  await recordIndexBatch(db, scan.id, [], { processed: 2, added: 1, updated: 0, failed: 0, skipped: 1, lastFile: 'z.mp3' })
  t.match(await getScan(db, scan.id), { processed: 6, added: 3, updated: 1, failed: 1, skipped: 1, current_file: 'z.mp3' })
  t.same(await scanErrors(db, scan.id), [{ path: 'x.mp3', message: 'unreadable' }])
})
