import t from 'tap'
import { join } from 'node:path'
import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdir, stat, writeFile } from 'node:fs/promises'
import { parseFile } from 'music-metadata'
import { parseAudio } from '../../../lib/scan/parse.js'
import { createParsePool } from '../../../lib/scan/parse-pool.js'
import { normaliseTags } from '../../../lib/scan/tags.js'
import { contentKeyOf } from '../../../lib/scan/content-key.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const run = promisify(execFile)

// The scanner reads each file's head and tail once and serves the parser from them; files whose
// tags, cover or index lie beyond that head must still read exactly as music-metadata's parseFile.
t.test('files larger than the cached head read the same tags as parseFile, on the main thread and in parse threads', async (t) => {
  const root = await tempDir(t)
  const tags = { title: 'Long Song', artist: 'Ann', album: 'Big', track: '3/9', date: '1999', genre: 'Jazz' }
  // M4A from ffmpeg keeps its 'moov' index at the end of the file; 40 s of FLAC is well over 64 KiB.
  await writeAudioFixture(root, 'm4a', { name: 'moov-at-end', seconds: 40, tags })
  await writeAudioFixture(root, 'flac', { name: 'long', seconds: 40, tags })
  // An MP3 whose ID3v2 tag holds a ~300 KB cover: the tag ends far past the cached head.
  const noise = join(root, 'noise.png')
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'nullsrc=s=320x320,geq=random(1)*255:random(1)*255:random(1)*255', '-frames:v', '1', noise])
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=5', '-i', noise,
    '-map', '0:a', '-map', '1:v', '-c:v', 'png', '-disposition:v', 'attached_pic', '-c:a', 'libmp3lame', '-id3v2_version', '3',
    ...Object.entries({ title: 'Covered', artist: 'Ann', album: 'Big', track: '1' }).flatMap(([k, v]) => ['-metadata', `${k}=${v}`]),
    join(root, 'big-cover.mp3')])
  t.ok((await stat(join(root, 'big-cover.mp3'))).size > 200_000, 'the cover makes the tag larger than the cached head')

  const files = ['moov-at-end.m4a', 'long.flac', 'big-cover.mp3']
  const pool = createParsePool(2)
  t.teardown(() => pool.close())
  const threaded = await pool.parse(root, files.map((path) => ({ path, size: 0, mtimeMs: 0 })))
  for (const [i, file] of files.entries()) {
    const expected = normaliseTags(await parseFile(join(root, file), { skipCovers: false, duration: false }), file)
    const contentKey = await contentKeyOf(join(root, file))
    t.same(await parseAudio(join(root, file), file), { kind: 'track', tags: expected, contentKey }, `${file} on the main thread`)
    t.same(threaded[i], { kind: 'track', tags: expected, contentKey }, `${file} in a parse thread`)
  }
  const covered = threaded[2]
  t.ok(covered.kind === 'track' && covered.tags.hasCover && covered.tags.title === 'Covered', 'the large cover is found past the head')
  const m4a = threaded[0]
  t.ok(m4a.kind === 'track' && m4a.tags.duration !== null && m4a.tags.duration > 39, 'the duration comes from the index at the end')
})

// A failure caused by the file's content is remembered with its size and mtime and not read again
// until it changes; one caused by I/O (a missing file, permissions) may go away with the file
// untouched, so it is marked transient, on the main thread and in parse threads alike.
t.test('content failures are lasting, I/O failures transient', async (t) => {
  const root = await tempDir(t)
  await writeFile(join(root, 'garbage.mp3'), Buffer.alloc(4096, 7))
  await writeFile(join(root, 'truncated.flac'), Buffer.from('fLaC\0\0\0\x22'))
  await mkdir(join(root, 'folder.flac'))
  const files = ['garbage.mp3', 'truncated.flac', 'missing.mp3', 'folder.flac']
  const pool = createParsePool(2)
  t.teardown(() => pool.close())
  const threaded = await pool.parse(root, files.map((path) => ({ path, size: 0, mtimeMs: 0 })))
  // A folder in a file's place is not a regular file: refused before anything is read.
  const expected = [false, false, true, false]
  for (const [i, file] of files.entries()) {
    t.match(await parseAudio(join(root, file), file), { kind: 'failed', transient: expected[i] }, `${file} on the main thread`)
    t.match(threaded[i], { kind: 'failed', transient: expected[i] }, `${file} in a parse thread`)
  }
})

// A file swapped for a FIFO between the walk and the parse: opening it must not wait for a writer.
t.test('a FIFO is refused at once, on the main thread and in parse threads', async (t) => {
  const root = await tempDir(t)
  execFileSync('mkfifo', [join(root, 'pipe.flac')])
  const within = async <T>(work: Promise<T>, what: string): Promise<T | 'hung'> => {
    let timer: NodeJS.Timeout | undefined
    const hung = new Promise<'hung'>((resolve) => { timer = setTimeout(() => resolve('hung'), 1000) })
    try {
      return await Promise.race([work, hung])
    } finally {
      clearTimeout(timer)
      t.comment(what)
    }
  }
  t.match(await within(parseAudio(join(root, 'pipe.flac'), 'pipe.flac'), 'main thread'), { kind: 'failed', reason: /not a regular file/, transient: false }, 'on the main thread')
  const pool = createParsePool(1)
  t.teardown(() => pool.close())
  // The thread up first: the second is the budget of the open, not of starting a thread.
  await writeFile(join(root, 'garbage.mp3'), Buffer.alloc(64, 7))
  await pool.parse(root, [{ path: 'garbage.mp3', size: 0, mtimeMs: 0 }])
  t.match(await within(pool.parse(root, [{ path: 'pipe.flac', size: 0, mtimeMs: 0 }]), 'parse thread'), [{ kind: 'failed', reason: /not a regular file/, transient: false }], 'in a parse thread')
})
