// The watcher's debouncing and follow-ups, on real file operations; the scan it would start is
// recorded instead of run.
import t from 'tap'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../../helper.js'
import { createWatchMode, isWatchedFile } from '../../../lib/scan/watch-mode.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const quiet = { info: () => {}, warn: () => {}, error: () => {} }

t.test('which files count', async (t) => {
  for (const p of ['A/x.mp3', 'A/x.FLAC', 'A/list.m3u8', 'list.m3u', 'A/cover.jpg', 'A/Folder.png']) t.ok(isWatchedFile(p), p)
  for (const p of ['A/notes.txt', 'A/x.mp3.part', 'A/scan.jpg', 'A/x.nfo']) t.notOk(isWatchedFile(p), p)
})

t.test('changes wait for a quiet period; a longest wait caps a change that keeps going', async (t) => {
  const media = await tempDir(t)
  await mkdir(join(media, 'A'))
  await mkdir(join(media, 'B'))
  const calls: Array<{ folders: string[] | undefined }> = []
  const watch = createWatchMode({
    mediaPath: media,
    dataDir: join(media, 'data'),
    quietMs: 300,
    maxWaitMs: 1500,
    startScan: async (folders) => { calls.push({ folders }); return { created: true } },
    log: quiet
  })
  t.teardown(() => watch.close())
  await watch.start()
  t.ok(watch.isActive())

  // A write every 100 ms for 3 s: never quiet for 300 ms, so only the longest wait starts scans.
  const began = Date.now()
  for (let i = 0; i < 30; i++) {
    await writeFile(join(media, i % 2 === 0 ? 'A' : 'B', `${i}.mp3`), 'x')
    await sleep(100)
  }
  await sleep(1000)
  // Without the longest wait there would be one scan at the end; with it, one about every 1.5 s.
  t.ok(calls.length >= 2 && calls.length <= 5, `${calls.length} scans over a ${Date.now() - began} ms stream of 30 changes`)
  t.same([...new Set(calls.flatMap((c) => c.folders ?? ['(all)']))].sort(), ['A', 'B'])

  // A top-level change scans everything.
  calls.length = 0
  await writeFile(join(media, 'top.flac'), 'x')
  await sleep(900)
  t.same(calls.map((c) => c.folders), [undefined])
})

t.test('while a scan runs, changes are kept for one follow-up', async (t) => {
  const media = await tempDir(t)
  let busy = true
  const calls: Array<string[] | undefined> = []
  const watch = createWatchMode({
    mediaPath: media,
    dataDir: join(media, 'data'),
    quietMs: 200,
    maxWaitMs: 2000,
    startScan: async (folders) => { calls.push(folders); return { created: !busy } },
    log: quiet
  })
  t.teardown(() => watch.close())
  await watch.start()
  await mkdir(join(media, 'A'))
  await writeFile(join(media, 'A', '1.mp3'), 'x')
  await sleep(700)
  await mkdir(join(media, 'B'))
  await writeFile(join(media, 'B', '2.mp3'), 'x')
  await sleep(700)
  t.ok(calls.length >= 2, 'it kept asking while a scan ran')
  busy = false
  const asked = calls.length
  await sleep(700)
  t.equal(calls.length, asked + 1, 'one follow-up once the scan is over')
  t.same([...(calls.at(-1) ?? [])].sort(), ['A', 'B'], 'holding every folder changed meanwhile')
  await sleep(700)
  t.equal(calls.length, asked + 1, 'and nothing after it')
})

t.test('a media folder that is not there is logged, not thrown', async (t) => {
  const warnings: string[] = []
  const media = join(await tempDir(t), 'not-mounted')
  const watch = createWatchMode({
    mediaPath: media,
    dataDir: join(media, 'data'),
    quietMs: 100,
    maxWaitMs: 200,
    startScan: async () => ({ created: true }),
    log: { ...quiet, warn: (_o: object, msg?: string) => { warnings.push(msg ?? '') } }
  })
  await watch.start()
  await watch.close()
  t.equal(watch.isActive(), false)
  t.match(warnings, [/media folder is missing/], 'the log says why nothing will be seen')
})
