// The guard remembers where a path resolved for a moment (it saves a realpath per stream
// request); whatever changes on disk meanwhile must be decided as if nothing were remembered.
import t from 'tap'
import { closeSync, readFileSync } from 'node:fs'
import { mkdir, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PathGuard, PathRefusedError, type GuardedFile } from '../../lib/path-guard.js'
import { tempDir, type TestLike } from '../helper.js'

function bytesOf (file: GuardedFile): string {
  const text = readFileSync(file.fd).toString()
  closeSync(file.fd)
  return text
}

async function setUp (t: TestLike): Promise<{ root: string, outside: string }> {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  await mkdir(join(root, 'a'))
  await mkdir(join(root, 'b'))
  await writeFile(join(root, 'a', 'x.flac'), 'in a')
  await writeFile(join(root, 'b', 'x.flac'), 'in b')
  await writeFile(join(outside, 'x.flac'), 'SECRET')
  return { root, outside }
}

t.test('a folder swapped for a link out of the root after its path was resolved is refused', async (t) => {
  const { root, outside } = await setUp(t)
  const guard = new PathGuard(root)
  t.equal(bytesOf(await guard.open('a/x.flac')), 'in a')
  await rename(join(root, 'a'), join(root, 'a-moved'))
  await symlink(outside, join(root, 'a'))
  await t.rejects(guard.open('a/x.flac'), new PathRefusedError('outside-root', 'a/x.flac'))
})

t.test('a folder swapped for a link inside the root leads to the file it now names', async (t) => {
  const { root } = await setUp(t)
  const guard = new PathGuard(root)
  t.equal(bytesOf(await guard.open('a/x.flac')), 'in a')
  await rename(join(root, 'a'), join(root, 'a-moved'))
  await symlink(join(root, 'b'), join(root, 'a'))
  const file = await guard.open('a/x.flac')
  t.equal(file.relativePath, 'b/x.flac')
  t.equal(bytesOf(file), 'in b')
})

t.test('a file replaced by a link, or deleted, is decided afresh', async (t) => {
  const { root, outside } = await setUp(t)
  const guard = new PathGuard(root)
  t.equal(bytesOf(await guard.open('a/x.flac')), 'in a')
  await unlink(join(root, 'a', 'x.flac'))
  await symlink(join(outside, 'x.flac'), join(root, 'a', 'x.flac'))
  await t.rejects(guard.open('a/x.flac'), new PathRefusedError('outside-root', 'a/x.flac'))
  await unlink(join(root, 'a', 'x.flac'))
  await t.rejects(guard.open('a/x.flac'), new PathRefusedError('not-found', 'a/x.flac'))
  await writeFile(join(root, 'a', 'x.flac'), 'new a')
  t.equal(bytesOf(await guard.open('a/x.flac')), 'new a', 'a file written at the same path is the one served')
})

t.test('a link inside the root re-pointed to another file inside is followed within the reuse period', async (t) => {
  const { root } = await setUp(t)
  let now = 1_000_000
  const guard = new PathGuard(root, () => now)
  await symlink(join(root, 'a'), join(root, 'current'))
  const first = await guard.open('current/x.flac')
  t.equal(first.relativePath, 'a/x.flac')
  closeSync(first.fd)
  await unlink(join(root, 'current'))
  await symlink(join(root, 'b'), join(root, 'current'))
  // The remembered file is still where it was and inside the root: it may be served for a moment.
  now += 2000
  const file = await guard.open('current/x.flac')
  t.equal(file.relativePath, 'b/x.flac', 'after two seconds the link is resolved again')
  t.equal(bytesOf(file), 'in b')
  await rm(join(root, 'b'), { recursive: true })
  await t.rejects(guard.open('current/x.flac'), new PathRefusedError('not-found', 'current/x.flac'))
})
