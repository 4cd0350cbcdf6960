// DATA_DIR's usage: one walk gives the total and the parts, calls that come together share it,
// and its answer is reused for a while.
import t from 'tap'
import { mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { diskUsage, folderUsage, sharedFolderUsage } from '../../../lib/ops/disk-usage.js'
import { tempDir } from '../../helper.js'

const PARTS = ['covers', 'transcodes', 'whole-lists', 'pglite'] as const

async function dataDir (t: Parameters<typeof tempDir>[0], covers: number): Promise<string> {
  const dir = await tempDir(t, 'sonantica-disk-')
  await mkdir(join(dir, 'covers', 'ab'), { recursive: true })
  for (let i = 0; i < covers; i++) await writeFile(join(dir, 'covers', 'ab', `c${i}.jpg`), Buffer.alloc(100 + i))
  await mkdir(join(dir, 'transcodes'))
  await writeFile(join(dir, 'transcodes', 'x.opus'), Buffer.alloc(5000))
  await mkdir(join(dir, 'pglite', 'base'), { recursive: true })
  await writeFile(join(dir, 'pglite', 'base', '1'), Buffer.alloc(8192))
  await writeFile(join(dir, 'loose'), Buffer.alloc(7))
  await mkdir(join(dir, 'other'))
  await writeFile(join(dir, 'other', 'y'), Buffer.alloc(11))
  await symlink('/etc', join(dir, 'outside'))
  return dir
}

t.test('one walk: the same numbers as walking each folder on its own', async (t) => {
  const dir = await dataDir(t, 50)
  const usage = await folderUsage(dir, PARTS)
  t.equal(usage.total, await diskUsage(dir), 'the total is every byte under the folder')
  for (const part of PARTS) t.equal(usage.parts[part], await diskUsage(join(dir, part)), `${part} as walked alone`)
  t.equal(usage.parts['whole-lists'], 0, 'a folder not made yet holds nothing')
  t.equal(usage.total, usage.parts.covers + usage.parts.transcodes + usage.parts.pglite + 7 + 11, 'the parts plus the rest, links not followed')
  t.same(await folderUsage(join(dir, 'missing'), PARTS), { total: 0, parts: { covers: 0, transcodes: 0, 'whole-lists': 0, pglite: 0 } })

  // A cache folder that is a link is counted as its own folder, as before, and not in the total.
  const elsewhere = await tempDir(t, 'sonantica-disk-elsewhere-')
  await writeFile(join(elsewhere, 'z'), Buffer.alloc(300))
  const linked = await tempDir(t, 'sonantica-disk-linked-')
  await symlink(elsewhere, join(linked, 'whole-lists'))
  t.same(await folderUsage(linked, PARTS), { total: await diskUsage(linked), parts: { covers: 0, transcodes: 0, 'whole-lists': 300, pglite: 0 } })
})

t.test('calls that come together share one walk; its answer is reused, then walked again', async (t) => {
  const dir = await dataDir(t, 2000)
  // Long enough for the checks below to run inside it on a loaded machine (300 ms was not).
  const shared = sharedFolderUsage(dir, PARTS, { maxAgeMs: () => 2000 })
  const answers = await Promise.all(Array.from({ length: 6 }, async () => await shared.read()))
  t.equal(shared.walks, 1, 'six calls at once: one walk')
  for (const answer of answers) t.same(answer, answers[0])
  t.same(answers[0], await folderUsage(dir, PARTS), 'the numbers are a walk\'s')

  await writeFile(join(dir, 'covers', 'new.jpg'), Buffer.alloc(1000))
  t.same(await shared.read(), answers[0], 'a call soon after is answered from the last walk')
  t.equal(shared.walks, 1)
  await new Promise((resolve) => setTimeout(resolve, 2100))
  const later = await shared.read()
  t.equal(shared.walks, 2, 'once the answer is old, a new walk')
  t.equal(later.parts.covers, answers[0].parts.covers + 1000, 'which sees the new file')
  t.equal(later.total, answers[0].total + 1000)
})

t.test('by default a quick walk is reused only briefly', async (t) => {
  const dir = await dataDir(t, 10)
  const shared = sharedFolderUsage(dir, PARTS)
  await shared.read()
  await new Promise((resolve) => setTimeout(resolve, 1100))
  await shared.read()
  t.equal(shared.walks, 2, 'a walk of a few milliseconds is not reused for long')
})

t.test('a walk that fails is not kept', async (t) => {
  let calls = 0
  const shared = sharedFolderUsage('/nonexistent-sonantica', PARTS, {
    maxAgeMs: () => { calls++; if (calls === 1) throw new Error('boom'); return 10_000 }
  })
  await t.rejects(shared.read())
  t.same(await shared.read(), { total: 0, parts: { covers: 0, transcodes: 0, 'whole-lists': 0, pglite: 0 } })
  t.equal(shared.walks, 2)
})
