import t from 'tap'
import { closeSync, readFileSync } from 'node:fs'
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import { lexicalRefusal, PathGuard, PathRefusedError, type Refusal } from '../../lib/path-guard.js'
import { tempDir } from '../helper.js'

t.test('lexical refusals', async (t) => {
  const cases: Array<[string, Refusal | null]> = [
    ['a/b.mp3', null], ['Ünïcödé/トラック.flac', null], ['a..b/c...mp3', null],
    ['', 'empty'], ['a\0b', 'nul-byte'], ['a\\..\\b', 'backslash'], ['/etc/passwd', 'absolute'],
    ['C:/x.mp3', 'absolute'], ['../x', 'dot-segment'], ['a/../../x', 'dot-segment'], ['a/./x', 'dot-segment'], ['..', 'dot-segment']
  ]
  for (const [path, reason] of cases) t.equal(lexicalRefusal(path), reason, JSON.stringify(path))
})

t.test('the guard opens files inside the root and refuses the rest', async (t) => {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  await writeFile(join(outside, 'secret'), 'secret')
  await mkdir(join(root, 'd'))
  await writeFile(join(root, 'd', 'song.mp3'), 'abcdef')
  await symlink(join(outside, 'secret'), join(root, 'out.mp3'))
  await symlink(outside, join(root, 'outdir'))
  await symlink('d/song.mp3', join(root, 'in.mp3'))
  execFileSync('mkfifo', [join(root, 'fifo.mp3')])

  // The root reached through a symlink is still the root.
  const alias = join(await tempDir(t), 'media-link')
  await symlink(root, alias)
  const guard = new PathGuard(alias)

  const file = await guard.open('d/song.mp3')
  t.equal(file.stats.size, 6)
  t.equal(file.relativePath, 'd/song.mp3')
  t.equal(readFileSync(file.fd).toString(), 'abcdef')
  closeSync(file.fd)

  const linked = await guard.open('in.mp3')
  t.equal(linked.relativePath, 'd/song.mp3', 'links inside the root resolve to the real path')
  closeSync(linked.fd)

  const refusals: Array<[string, Refusal]> = [
    ['out.mp3', 'outside-root'], ['outdir/secret', 'outside-root'], ['fifo.mp3', 'not-regular'], ['d', 'not-regular'],
    ['missing.mp3', 'not-found'], ['d/song.mp3/x', 'not-found'], ['../secret', 'dot-segment'], [join(outside, 'secret'), 'absolute']
  ]
  for (const [path, reason] of refusals) {
    await t.rejects(guard.open(path), new PathRefusedError(reason, path), path)
  }

  await rm(root, { recursive: true })
  await t.rejects(guard.open('d/song.mp3'), new PathRefusedError('not-found', 'd/song.mp3'), 'a vanished root refuses')
  await t.rejects(new PathGuard(join(outside, 'nope')).open('x.mp3'), new PathRefusedError('root-missing', 'x.mp3'))
})
