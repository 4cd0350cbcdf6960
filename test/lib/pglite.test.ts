import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { openPglite } from '../../lib/pglite.js'
import { tempDir } from '../helper.js'

t.test('a new embedded database is created in a child process and opens with the small buffer pool', async (t) => {
  const dataDir = await tempDir(t, 'sonantica-pglite-')
  const dir = join(dataDir, 'nested', 'pglite')
  const warnings: string[] = []
  const db = await openPglite(dir, { onWarning: (_err, message) => warnings.push(message) })
  t.same(warnings, [], 'the child created it')
  t.ok(existsSync(join(dir, 'PG_VERSION')))
  t.same((await db.query('SHOW shared_buffers')).rows, [{ shared_buffers: '16MB' }])
  await db.exec('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)')
  await db.close()
  t.same(await readdir(join(dataDir, 'nested')), ['pglite'], 'nothing is left beside it')

  const again = await openPglite(dir)
  t.same((await again.query('SELECT v FROM kept')).rows, [{ v: 'still here' }], 'reopened, not recreated')
  await again.close()
})

t.test('an empty directory left by an earlier start is filled in', async (t) => {
  const dir = join(await tempDir(t, 'sonantica-pglite-'), 'pglite')
  await mkdir(dir)
  const db = await openPglite(dir)
  t.same((await db.query('SELECT 1 AS one')).rows, [{ one: 1 }])
  await db.close()
})
