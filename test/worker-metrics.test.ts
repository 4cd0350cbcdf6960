// A worker's /metrics on WORKER_METRICS_PORT: its queues, pool and process, counted as it works.
import t from 'tap'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { skipReason, testEnv } from './helper.js'
import { writeAudioFixture } from './fixtures/audio.js'
import { buildScanAppWithEnv, waitForScan, type ScanBody } from './fixtures/scan.js'
import { parseScrape, value } from './fixtures/prometheus.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

// Workers share the database, so this needs PostgreSQL (PGlite is one process's) and Redis.
const skip = await skipReason({ postgres: true, redis: true })

t.test('a worker serves its own metrics on WORKER_METRICS_PORT', { skip }, async (t) => {
  const { env, mediaPath } = await testEnv(t, { backend: 'postgres', redis: true, env: { RUN_WORKER: 'false', ANALYSIS: 'on' } })
  for (let i = 0; i < 3; i++) await writeAudioFixture(join(mediaPath, 'A'), 'mp3', { name: `t${i}`, tags: { title: `T${i}`, artist: 'A', album: 'A' } })
  const { app } = await buildScanAppWithEnv(t, env)

  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, WORKER_METRICS_PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc']
  })
  let stderr = ''
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  t.after(() => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL') })
  await new Promise<void>((resolve, reject) => {
    child.once('message', (message) => { if (message === 'ready') resolve() })
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready: ${stderr}`)))
  })

  const url = `http://127.0.0.1:${port}/metrics`
  const start = await app.inject({ method: 'POST', url: '/api/scan/start' })
  const done = await waitForScan(app, (start.json() as ScanBody).id)
  t.equal(done.status, 'completed', 'the worker ran the scan')
  t.equal(done.added, 3)

  const res = await fetch(url)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/)
  const scrape = parseScrape(await res.text())
  for (const queue of ['scan', 'index', 'analysis']) {
    t.ok(scrape.series.has(`sonantica_queue_jobs{queue="${queue}",state="waiting"}`), `${queue} queue depth`)
    t.equal(value(scrape, `sonantica_queue_job_failures_total{queue="${queue}"}`), 0, `no ${queue} job failed`)
  }
  t.equal(value(scrape, 'sonantica_queue_jobs{queue="analysis",state="waiting"}'), 3, 'the three new tracks wait for analysis')
  t.ok(scrape.series.has('sonantica_db_pool_connections{state="idle"}'), 'the database pool')
  t.ok(value(scrape, 'process_cpu_seconds_total') > 0, 'process metrics')
  t.notOk(scrape.types.has('sonantica_http_requests_total'), 'no HTTP API, no request metrics')
  t.notOk(scrape.types.has('sonantica_scan_files_total'), 'scans are counted by the API process only')
  t.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404, 'only /metrics is served')

  child.kill('SIGTERM')
  const [code] = await new Promise<[number | null]>((resolve) => child.once('exit', (c) => resolve([c])))
  t.equal(code, 0, 'the worker exits cleanly with its metrics server open')
})
