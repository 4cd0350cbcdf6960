// A cover's file is read through the descriptor the path guard opened and checked: swapped after
// the check for a link out of the media root, or for a FIFO, it is still the checked file that
// is read (found by an outside attack, which won this race against a read by path).
import t from 'tap'
import { execFileSync } from 'node:child_process'
import { copyFile, mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { CoverCache, type OpenFile } from '../../../lib/cover/cover-cache.js'
import { PathGuard } from '../../../lib/path-guard.js'
import { coverImage, encodeAudio } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const ALBUM = '5b1d2c9e-0000-4000-8000-000000000001'

// The guard's open, then the file on disk is replaced by `swap` before the cache reads it.
function openThenSwap (guard: PathGuard, swap: (absolute: string) => Promise<void>): OpenFile {
  return async (relative) => {
    const file = await guard.open(relative)
    await swap(join(guard.root, relative))
    return file
  }
}

t.test('a cover file swapped for a link out of the root after the check: the checked file is served', async (t) => {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  const secret = join(outside, 'secret.jpg')
  await writeFile(secret, 'TOPSECRET'.repeat(100))
  await mkdir(join(root, 'album'))
  const png = await readFile(await coverImage())
  await writeFile(join(root, 'album', 'cover.png'), png)
  const swapToLink = async (path: string): Promise<void> => {
    await rename(path, `${path}.bak`)
    await symlink(secret, path)
  }
  const cache = new CoverCache(openThenSwap(new PathGuard(root), swapToLink), join(await tempDir(t), 'covers'), 1024 * 1024)
  const cover = await cache.get(ALBUM, 'file:album/cover.png')
  t.ok(cover !== null, 'a cover')
  t.same(cover?.body, png, 'the bytes of the file that was checked')
  t.notOk(cover?.body.toString('latin1').includes('TOPSECRET'), 'nothing from outside the root')
})

t.test('an audio file swapped for a link, or a cover for a FIFO, after the check: no read leaves the checked file or hangs', async (t) => {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  await mkdir(join(root, 'album'))
  // Outside the root: an audio file with another embedded picture.
  const foreign = join(outside, 'foreign.flac')
  await copyFile(await encodeAudio('flac', { seconds: 1, tags: { title: 'Foreign' } }), foreign)
  await copyFile(await encodeAudio('flac', { seconds: 1, cover: true, tags: { title: 'Ours' } }), join(root, 'album', 'ours.flac'))
  const embedded = new CoverCache(openThenSwap(new PathGuard(root), async (path) => {
    await rename(path, `${path}.bak`)
    await symlink(foreign, path)
  }), join(await tempDir(t), 'covers'), 1024 * 1024)
  const cover = await embedded.get(ALBUM, 'embedded:album/ours.flac')
  t.ok(cover !== null, 'the picture of the checked file, though the path now leads to a file without one')

  await writeFile(join(root, 'album', 'cover.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]))
  const fifo = new CoverCache(openThenSwap(new PathGuard(root), async (path) => {
    await rename(path, `${path}.bak`)
    execFileSync('mkfifo', [path])
  }), join(await tempDir(t), 'covers'), 1024 * 1024)
  const started = Date.now()
  const jpeg = await fifo.get(ALBUM, 'file:album/cover.jpg')
  t.same(jpeg?.body, Buffer.from([0xff, 0xd8, 0xff, 0xd9]), 'the checked file is read')
  t.ok(Date.now() - started < 5000, 'without waiting on the FIFO')
})
