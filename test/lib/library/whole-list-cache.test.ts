// The disk store of whole-list bodies: kept per library version, least recently used first out
// past the cap, nothing left behind by a failed body or a process that is gone.
import t from 'tap'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../../helper.js'
import { WholeListCache, wholeListDir, type WholeBody } from '../../../lib/library/whole-list-cache.js'

async function text (body: WholeBody): Promise<string> {
  try {
    return await body.handle.readFile('utf8')
  } finally {
    await body.handle.close()
  }
}

const producer = (content: string, version = 'v1', total = 1) => async (write: (chunk: string) => Promise<void>) => {
  for (let i = 0; i < content.length; i += 3) await write(content.slice(i, i + 3))
  return { version, total }
}

t.test('a body is written, kept under its version and dropped when the version moves', async (t) => {
  const dir = join(await tempDir(t), 'lists')
  const cache = new WholeListCache(dir, 1024)
  t.equal(await cache.get('v1', '/a'), undefined, 'a miss, at v1')
  const built = await cache.build('/a', producer('{"tracks":[1,2,3]}'))
  t.equal(await text(built), '{"tracks":[1,2,3]}')
  t.equal(built.bytes, 18)
  t.match(built.etag, /^"[\w-]+"$/)
  const hit = await cache.get('v1', '/a')
  t.ok(hit)
  t.equal(await text(hit as WholeBody), '{"tracks":[1,2,3]}')
  t.equal(hit?.etag, built.etag)
  t.same(cache.counts, { builds: 1, hits: 1 })
  t.equal(await cache.get('v2', '/a'), undefined, 'another version: gone')
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.same(await readdir(dir), [], 'and its file removed')
})

t.test('a body read at an older version than the last seen is served but not kept', async (t) => {
  const cache = new WholeListCache(join(await tempDir(t), 'lists'), 1024)
  // Lookups say which version is current; builds do not move it.
  t.equal(await cache.get('v2', '/a'), undefined)
  await text(await cache.build('/a', producer('[1]', 'v2')))
  t.equal(cache.size, 1)
  // A slower build that started before the change and finished after it.
  const stale = await cache.build('/b', producer('[0]', 'v1'))
  t.equal(await text(stale), '[0]')
  t.equal(cache.size, 1, 'not kept')
  t.ok(await cache.get('v2', '/a').then(async (b) => b !== undefined && (await text(b)) === '[1]'), 'the current body stays')
})

t.test('past the cap the least recently used bodies go; a body over the cap is never kept', async (t) => {
  const dir = join(await tempDir(t), 'lists')
  const cache = new WholeListCache(dir, 25)
  t.equal(await cache.get('v1', '/a'), undefined)
  await text(await cache.build('/a', producer('a'.repeat(10))))
  await text(await cache.build('/b', producer('b'.repeat(10))))
  await text((await cache.get('v1', '/a')) as WholeBody)
  await text(await cache.build('/c', producer('c'.repeat(10))))
  t.ok(await cache.get('v1', '/a').then(async (b) => b !== undefined && (await text(b)) !== ''), 'the recently used one stays')
  t.equal(await cache.get('v1', '/b'), undefined, 'the least recently used one went')
  t.equal(cache.storedBytes, 20)
  const big = await cache.build('/big', producer('x'.repeat(30)))
  t.equal(await text(big), 'x'.repeat(30), 'still served')
  t.equal(await cache.get('v1', '/big'), undefined, 'but not kept')
})

t.test('a failed body leaves no file and keeps nothing', async (t) => {
  const dir = join(await tempDir(t), 'lists')
  const cache = new WholeListCache(dir, 1024)
  await t.rejects(cache.build('/a', async (write) => {
    await write('{"tracks":[')
    throw new Error('database went away')
  }), /database went away/)
  t.equal(cache.size, 0)
  t.same(await readdir(dir), [])
})

t.test('folders of processes that are gone are removed at start; running ones are left', async (t) => {
  const parent = await tempDir(t)
  const dead = join(parent, '999999999-abcd1234')
  // A process that runs (this test's parent) and one with this very pid, left by an earlier
  // process that had it (the server is pid 1 in every container).
  const alive = join(parent, `${process.ppid}-feedbeef`)
  const samePid = join(parent, `${process.pid}-0ldc0de0`)
  for (const d of [dead, alive, samePid]) {
    await mkdir(d)
    await writeFile(join(d, 'x.json'), '[]')
  }
  const mine = await wholeListDir(parent)
  t.notOk(existsSync(dead), 'a gone process\'s folder is removed')
  t.notOk(existsSync(samePid), 'so is one under this pid that this process did not make')
  t.equal(await readFile(join(alive, 'x.json'), 'utf8'), '[]', 'a running process\'s folder is left')
  t.match(mine, new RegExp(`${process.pid}-[0-9a-f]{8}$`))
  await mkdir(mine)
  const second = await wholeListDir(parent)
  t.ok(existsSync(mine), 'a second app in the same process leaves the first one\'s folder')
  t.not(second, mine)
})
