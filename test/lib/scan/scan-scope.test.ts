import t from 'tap'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../../helper.js'
import { folderState, inScope, normaliseScope, planScope, rootIsEmpty, walkScope } from '../../../lib/scan/scan-scope.js'
import { resolveRoot, type WalkResult } from '../../../lib/scan/walk.js'

t.test('a scope keeps the outermost folders; the root or a way out of it means the whole library', async (t) => {
  t.same(normaliseScope(['B', 'A/x', 'A', 'A/y/z', 'B', 'Ab']), ['A', 'Ab', 'B'])
  t.same(normaliseScope(['A/./B/', 'C\\D']), ['A/B', 'C/D'])
  t.equal(normaliseScope(undefined), undefined)
  t.equal(normaliseScope([]), undefined)
  t.equal(normaliseScope(['A', '']), undefined)
  t.equal(normaliseScope(['A', '../etc']), undefined)
  t.ok(inScope('A/x.mp3', ['A']))
  t.notOk(inScope('Ab/x.mp3', ['A']), 'a folder is not a prefix of its sibling')
  t.ok(inScope('anything', undefined))
})

t.test('folder states: present, gone, and behind a link (left alone)', async (t) => {
  const root = await resolveRoot(await tempDir(t))
  const outside = await tempDir(t)
  await mkdir(join(root, 'A', 'B'), { recursive: true })
  await writeFile(join(root, 'A', 'B', '1.mp3'), 'x')
  await writeFile(join(root, 'A', '.hidden.mp3'), 'x')
  await writeFile(join(outside, 'secret.mp3'), 'x')
  await symlink(outside, join(root, 'Link'))
  t.equal(await folderState(root, 'A'), 'present')
  t.equal(await folderState(root, 'Gone'), 'gone')
  t.equal(await folderState(root, 'A/B/1.mp3'), 'gone', 'a file where a folder was is not a folder to walk')
  t.equal(await folderState(root, 'Link'), 'unreadable')

  const plan = await planScope(root, ['A', 'Gone', 'Link'])
  t.same(plan, { walk: ['A'], remove: ['A', 'Gone'] }, 'a link is neither walked nor cleared')
  const walk: WalkResult = { folderCovers: new Map() }
  const paths: string[] = []
  for await (const file of walkScope(root, walk, plan)) paths.push(file.path)
  t.same(paths, ['A/B/1.mp3'], 'library-relative paths, hidden files skipped')
  t.equal(await rootIsEmpty(root), false)
  t.equal(await rootIsEmpty(await tempDir(t)), true)
})
