// Phase 1 on its own: what the walk queues, in what batches, what it reports as known problems,
// and when it refuses to go on.
import t from 'tap'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import { walkAndCompare, type Walked, type WalkRefused } from '../../../lib/scan/phase-walk-and-compare.js'
import { getScan, scanErrors } from '../../../lib/scan/scan-repository.js'
import type { FileStamp } from '../../../lib/scan/track-repository.js'
import { tempDir } from '../../helper.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { runningScan, scanDatabase } from './phase-fixtures.js'

// The walk reads stamps (whole milliseconds), never contents: any bytes under an audio extension will do.
async function files (root: string, paths: string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(join(root, path, '..'), { recursive: true })
    await writeFile(join(root, path), `bytes of ${path}`)
  }
}

function walked (result: Walked | WalkRefused): Walked {
  if ('refused' in result) throw new Error(`refused: ${result.refused}`)
  return result
}

t.test('new and changed files are queued in batches; unchanged and known-bad ones are not', async (t) => {
  const db = await scanDatabase(t)
  const media = await tempDir(t, 'sonantica-phase-walk-')
  await files(media, ['a/1.mp3', 'a/2.flac', 'b/3.ogg', 'b/4.mp3', 'b/5.mp3', 'same.mp3', 'bad.mp3', 'notes.txt'])
  const same = await stat(join(media, 'same.mp3'))
  await seedTrack(db, { filePath: 'same.mp3', fileSize: same.size, fileMtimeMs: Math.trunc(same.mtimeMs) })
  // Indexed once, changed since (another size): read again.
  await seedTrack(db, { filePath: 'b/5.mp3', fileSize: 1, fileMtimeMs: 1 })
  const bad = await stat(join(media, 'bad.mp3'))
  await db.query(`INSERT INTO unindexed_files (path, file_size, file_mtime_ms, message, skipped)
    VALUES ('bad.mp3', $1, $2, 'no audio frames', false)`, [bad.size, Math.trunc(bad.mtimeMs)])
  const scan = await runningScan(db)

  const queue = createMemoryQueue()
  t.after(() => queue.close())
  const progress: Array<[number, number, string]> = []
  const result = walked(await walkAndCompare({
    db,
    scanId: scan.id,
    mediaPath: media,
    folders: undefined,
    batchSize: 2,
    indexedBefore: 10,
    enqueue: async (batch) => await queue.add<{ files: FileStamp[] }>('index', { files: batch }),
    onProgress: (seen, total, file) => { progress.push([seen, total, file]) },
    signal: new AbortController().signal
  }))

  t.same(result.seen.toSorted(), ['a/1.mp3', 'a/2.flac', 'b/3.ogg', 'b/4.mp3', 'b/5.mp3', 'bad.mp3', 'same.mp3'], 'every audio file is seen')
  const batches = await queue.waiting<{ files: FileStamp[] }>('index')
  t.same(batches.map((b) => b.files.length), [2, 2, 1], 'five files to index, in batches of two')
  t.same(batches.flatMap((b) => b.files.map((f) => f.path)).toSorted(), ['a/1.mp3', 'a/2.flac', 'b/3.ogg', 'b/4.mp3', 'b/5.mp3'])
  t.equal(result.jobIds.length, 3, 'one job id per batch')
  t.equal(result.total, 15, 'the total counts what earlier runs indexed')
  t.equal(progress.length, 7, 'progress is offered for every file')
  t.same(progress.map(([seen]) => seen), [1, 2, 3, 4, 5, 6, 7])

  t.same(await scanErrors(db, scan.id), [{ path: 'bad.mp3', message: 'no audio frames (unchanged since it could not be indexed; not read again)' }])
  t.match(await getScan(db, scan.id), { failed: 1, skipped: 0 }, 'the known problem is counted')
})

t.test('a scoped walk sees only its folders', async (t) => {
  const db = await scanDatabase(t)
  const media = await tempDir(t, 'sonantica-phase-walk-')
  await files(media, ['a/1.mp3', 'b/2.mp3', 'b/c/3.mp3'])
  const scan = await runningScan(db)
  const queued: string[] = []
  const result = walked(await walkAndCompare({
    db,
    scanId: scan.id,
    mediaPath: media,
    folders: ['b', 'gone'],
    batchSize: 100,
    indexedBefore: 0,
    enqueue: async (batch) => { queued.push(...batch.map((f) => f.path)); return 'job' },
    onProgress: () => {},
    signal: new AbortController().signal
  }))
  t.same(result.seen.toSorted(), ['b/2.mp3', 'b/c/3.mp3'])
  t.same(queued.toSorted(), ['b/2.mp3', 'b/c/3.mp3'])
  t.same(result.scope, { walk: ['b'], remove: ['b', 'gone'] }, 'a folder that is gone is still one to remove from')
})

t.test('a missing or empty media root is refused and nothing is queued', async (t) => {
  const db = await scanDatabase(t)
  const media = await tempDir(t, 'sonantica-phase-walk-')
  const scan = await runningScan(db)
  let queued = 0
  const input = {
    db,
    scanId: scan.id,
    folders: undefined,
    batchSize: 10,
    indexedBefore: 0,
    enqueue: async () => { queued++; return 'job' },
    onProgress: () => {},
    signal: new AbortController().signal
  }
  const missing = await walkAndCompare({ ...input, mediaPath: join(media, 'not-there') })
  t.match(missing, { refused: /nothing was removed$/ })
  await writeFile(join(media, 'readme.txt'), 'no audio here')
  const empty = await walkAndCompare({ ...input, mediaPath: media })
  t.same(empty, { refused: `no audio files found in the media root ${media}; nothing was removed` })
  t.equal(queued, 0)
})

t.test('a walk stops when its process shuts down', async (t) => {
  const db = await scanDatabase(t)
  const media = await tempDir(t, 'sonantica-phase-walk-')
  await files(media, ['1.mp3', '2.mp3'])
  const scan = await runningScan(db)
  const stop = new AbortController()
  stop.abort()
  await t.rejects(walkAndCompare({
    db,
    scanId: scan.id,
    mediaPath: media,
    folders: undefined,
    batchSize: 10,
    indexedBefore: 0,
    enqueue: async () => 'job',
    onProgress: () => {},
    signal: stop.signal
  }), { name: 'AbortError' })
})
