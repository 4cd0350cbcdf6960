import t from 'tap'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { once } from 'node:events'
import { pathToFileURL } from 'node:url'
import { promisify } from 'node:util'
import { nodeArgsFor, siblingEntry, startThread } from '../../lib/source-entry.js'
import { tempDir } from '../helper.js'

const run = promisify(execFile)

// Type annotations and an enum: only runs once tsx's loader is in place.
const TS_SOURCE = `
enum Answer { Yes = 'from typescript' }
const answer: string = Answer.Yes
export {}
`

t.test('siblingEntry names the .ts beside a source module and the .js beside a built one', async (t) => {
  t.equal(siblingEntry('file:///app/lib/scan/parse-pool.ts', 'parse-worker').href, 'file:///app/lib/scan/parse-worker.ts')
  t.equal(siblingEntry('file:///app/dist/lib/scan/parse-pool.js', 'parse-worker').href, 'file:///app/dist/lib/scan/parse-worker.js')
})

t.test('a built entry needs no node options; a source entry gets tsx', async (t) => {
  t.same(nodeArgsFor(new URL('file:///app/dist/lib/pglite-initdb.js')), [])
  const args = nodeArgsFor(new URL('file:///app/lib/pglite-initdb.ts'))
  t.equal(args[0], '--import')
  t.match(args[1], /^file:.*\/node_modules\/tsx\//, 'tsx resolved from this installation, whatever the child\'s working directory')
})

t.test('a child process started with those options runs TypeScript source', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'child.ts')
  await writeFile(file, `${TS_SOURCE}process.stdout.write(answer)\n`)
  const { stdout } = await run(process.execPath, [...nodeArgsFor(pathToFileURL(file)), file], { cwd: dir })
  t.equal(stdout, 'from typescript')
})

t.test('startThread runs a TypeScript entry in a worker thread, and a JavaScript one as is', async (t) => {
  const dir = await tempDir(t)
  // As in this repository: .ts files are ES modules.
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }')
  const ts = join(dir, 'thread.ts')
  await writeFile(ts, `import { parentPort } from 'node:worker_threads'\n${TS_SOURCE}parentPort?.postMessage(answer)\n`)
  const limits = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 }
  const fromSource = startThread(pathToFileURL(ts), { resourceLimits: limits })
  t.same(await once(fromSource, 'message'), ['from typescript'])
  t.match(fromSource.resourceLimits, limits, 'the options reach the thread through the tsx bootstrap')
  await fromSource.terminate()

  const js = join(dir, 'thread.mjs')
  await writeFile(js, 'import { parentPort } from \'node:worker_threads\'\nparentPort.postMessage(\'plain\')\n')
  const built = startThread(pathToFileURL(js), { resourceLimits: limits })
  t.same(await once(built, 'message'), ['plain'])
  t.match(built.resourceLimits, limits)
  await built.terminate()
})
