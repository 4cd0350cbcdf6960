import t from 'tap'
import { spawn, type ChildProcess } from 'node:child_process'
import { copyFile, mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { skipReason, testEnv } from './helper.js'
import { encodeAudio, writeAudioFixture } from './fixtures/audio.js'
import { buildScanAppWithEnv, waitForScan, type ScanBody } from './fixtures/scan.js'
import type { Env } from '../lib/config.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

function startWorker (t: { after: (fn: () => unknown) => void }, env: Env): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  return new Promise((resolve, reject) => {
    child.once('message', (message) => { if (message === 'ready') resolve(child) })
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)))
  })
}

const FILES = 200

// Workers share the database, so this needs PostgreSQL (PGlite is one process's) and Redis.
const skip = await skipReason({ postgres: true, redis: true })

t.test('a worker killed mid-scan leaves its jobs to another; every file is indexed once', { skip }, async (t) => {
  // Small batches and a short job lock, so the kill lands inside a batch and recovery is quick.
  const { env, mediaPath } = await testEnv(t, {
    backend: 'postgres',
    redis: true,
    env: { RUN_WORKER: 'false', SCAN_BATCH_SIZE: '10', JOB_LOCK_MS: '2000' }
  })
  const sources = await Promise.all(['mp3', 'flac', 'ogg', 'm4a'].map(async (format) =>
    encodeAudio(format as 'mp3', { tags: { title: `Song (${format})`, artist: 'Crash Test', album: 'Dummies' } })))
  for (let i = 0; i < FILES; i++) {
    const source = sources[i % sources.length]
    const dir = join(mediaPath, `Disc ${Math.floor(i / 50)}`)
    await mkdir(dir, { recursive: true })
    await copyFile(source, join(dir, `${String(i).padStart(3, '0')}${source.slice(source.lastIndexOf('.'))}`))
  }
  const { app, pg } = await buildScanAppWithEnv(t, env)

  const start = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(start.statusCode, 202)
  const scanId = (start.json() as ScanBody).id

  const first = await startWorker(t, env)
  let processed = 0
  for (let i = 0; i < 2000 && processed < 20; i++) {
    const { rows } = await pg.query<{ processed: number }>('SELECT processed FROM scans WHERE id = $1', [scanId])
    processed = rows[0].processed
    if (processed < 20) await new Promise((resolve) => setTimeout(resolve, 10))
  }
  first.kill('SIGKILL')
  await new Promise((resolve) => first.once('exit', resolve))
  const { rows: [midway] } = await pg.query<{ status: string, processed: number }>('SELECT status, processed FROM scans WHERE id = $1', [scanId])
  t.equal(midway.status, 'running', 'the scan was cut off while running')
  t.ok(midway.processed < FILES, `killed with ${midway.processed} of ${FILES} files indexed`)

  await startWorker(t, env)
  const done = await waitForScan(app, scanId, 2000)
  t.equal(done.status, 'completed')
  t.equal(done.added, FILES, 'every file counted as added exactly once')
  t.equal(done.failed, 0)
  const { rows: [counts] } = await pg.query<{ tracks: number, paths: number }>(
    'SELECT count(*)::int AS tracks, count(DISTINCT file_path)::int AS paths FROM tracks')
  t.same(counts, { tracks: FILES, paths: FILES })
  const { rows: albums } = await pg.query('SELECT title FROM albums')
  t.same(albums, [{ title: 'Dummies' }])
})

t.test('scan options reach a separate worker through Redis', { skip }, async (t) => {
  const { env, mediaPath } = await testEnv(t, { backend: 'postgres', redis: true, env: { RUN_WORKER: 'false' } })
  const small = await writeAudioFixture(join(mediaPath, 'A'), 'flac', { tags: { title: 'Small' }, cover: true })
  const big = await writeAudioFixture(join(mediaPath, 'A'), 'wav', { tags: { title: 'Big' }, seconds: 20 })
  const limit = Math.floor(((await stat(small)).size + (await stat(big)).size) / 2)
  const { app, pg } = await buildScanAppWithEnv(t, env)
  await startWorker(t, env)

  const start = await app.inject({
    method: 'POST',
    url: '/api/scan/start',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ scanFileSizeLimit: limit, coverArtSizeLimit: 1, watchFolders: false, parallelScanning: false })
  })
  t.equal(start.statusCode, 202)
  const done = await waitForScan(app, (start.json() as ScanBody).id, 2000)
  t.match(done, { status: 'completed', added: 1, skipped: 1, failed: 0 }, 'the worker skipped the file over the limit')
  const { rows } = await pg.query<{ file_path: string, has_cover: boolean }>('SELECT file_path, has_cover FROM tracks')
  t.same(rows, [{ file_path: 'A/Small.flac', has_cover: false }], 'and applied the cover limit')
})

t.test('a worker does not watch the media folder, even with WATCH=true', { skip }, async (t) => {
  const { env, mediaPath } = await testEnv(t, { backend: 'postgres', redis: true, env: { RUN_WORKER: 'false' } })
  await writeAudioFixture(join(mediaPath, 'A'), 'mp3', { tags: { title: 'One' } })
  const { app, pg } = await buildScanAppWithEnv(t, env)
  await startWorker(t, { ...env, WATCH: 'true', WATCH_DEBOUNCE_MS: '200', WATCH_MAX_WAIT_MS: '1000' })
  const start = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.match(await waitForScan(app, (start.json() as ScanBody).id, 2000), { status: 'completed', added: 1 })

  await writeAudioFixture(join(mediaPath, 'B'), 'mp3', { tags: { title: 'Two' } })
  await new Promise((resolve) => setTimeout(resolve, 3000))
  const { rows } = await pg.query<{ n: number }>('SELECT count(*)::int AS n FROM scans')
  t.equal(rows[0].n, 1, 'no scan was started by the worker')
})
