// A folder swapped for a symlink between the guard's realpath and its open: O_NOFOLLOW guards
// only the last name, so without the check of where the descriptor leads, a file outside the
// root was served (found by an outside attack: 36 of 400 streams).
import t from 'tap'
import { closeSync, fstatSync, openSync, renameSync, statSync, symlinkSync, unlinkSync, constants } from 'node:fs'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { openedWhereResolved, PathGuard, PathRefusedError } from '../../lib/path-guard.js'
import { tempDir } from '../helper.js'

t.test('a descriptor is checked against the path that was resolved', async (t) => {
  const dir = await tempDir(t, 'sonantica-swap-')
  await writeFile(join(dir, 'a'), 'a')
  await writeFile(join(dir, 'b'), 'b')
  const fd = openSync(join(dir, 'a'), constants.O_RDONLY)
  t.after(() => closeSync(fd))
  t.equal(openedWhereResolved(fd, join(dir, 'a')), true)
  t.equal(openedWhereResolved(fd, join(dir, 'b')), false)
})

t.test('a folder swapped for a symlink while files are opened never yields a file outside the root', async (t) => {
  const base = await tempDir(t, 'sonantica-swap-')
  const root = join(base, 'media')
  const outside = join(base, 'outside', 'race')
  await mkdir(join(root, 'race'), { recursive: true })
  await mkdir(outside, { recursive: true })
  await writeFile(join(root, 'race', 'x.flac'), 'inside')
  await writeFile(join(outside, 'x.flac'), 'outside!')
  const outsideIno = statSync(join(outside, 'x.flac')).ino
  const guard = new PathGuard(root)

  // Swaps on the main thread between the thread-pool steps of each open (realpath, open).
  let swapping = true
  const swap = (): void => {
    if (!swapping) return
    renameSync(join(root, 'race'), join(root, 'race_real'))
    symlinkSync(outside, join(root, 'race'))
    setImmediate(() => {
      unlinkSync(join(root, 'race'))
      renameSync(join(root, 'race_real'), join(root, 'race'))
      setImmediate(swap)
    })
  }
  swap()
  const outcomes = { inside: 0, refused: 0, outside: 0 }
  for (let i = 0; i < 400; i++) {
    try {
      const file = await guard.open('race/x.flac')
      outcomes[fstatSync(file.fd).ino === outsideIno ? 'outside' : 'inside']++
      closeSync(file.fd)
    } catch (err) {
      if (!(err instanceof PathRefusedError)) throw err
      outcomes.refused++
    }
  }
  swapping = false
  t.comment(JSON.stringify(outcomes))
  t.equal(outcomes.outside, 0, 'no open led outside the root (without the check, most do)')
  await new Promise((resolve) => setImmediate(resolve))
  const file = await guard.open('race/x.flac')
  t.not(fstatSync(file.fd).ino, outsideIno, 'the swapping over, the real file opens')
  closeSync(file.fd)
})
