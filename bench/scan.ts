// Scan benchmark on one library: npm run bench:scan -- <library dir>
// Reports the plain sequential parseFile loop (baseline, run in this process), then starts the
// service as the Docker image runs it (`node dist/server.js`, built here first) in a process of its
// own and drives a first full scan and a no-change rescan through its HTTP API, reading that
// process's peak RSS (VmHWM, all threads) from /proc; then touches 1% of the files (a new mtime)
// and rescans, which should cost the no-change rescan plus about 1% of the first scan. Uses
// embedded PGlite, or PostgreSQL when BENCH_POSTGRES_URL is set.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync } from 'node:fs'
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises'
import { freePort } from './free-port.js'
import { tmpdir, availableParallelism, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fg from 'fast-glob'
import { parseFile } from 'music-metadata'
import { isAudioPath } from '../lib/scan/audio-files.js'
import { recreateDatabase } from './recreate-database.js'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const library = process.argv[2]
if (library === undefined) {
  process.stderr.write('usage: bench/scan.ts <library dir>\n')
  process.exit(2)
}
const load = loadavg().map((l) => +l.toFixed(2))

const files = (await fg('**/*', { cwd: library, absolute: true, onlyFiles: true })).filter(isAudioPath)

// 1. Baseline: what one plain loop of music-metadata costs on this machine (BENCH_SKIP_BASELINE=1
// skips it while profiling the service).
const t0 = performance.now()
const cpu0 = process.cpuUsage()
let parsed = 0
for (const file of process.env.BENCH_SKIP_BASELINE === '1' ? [] : files) {
  try {
    await parseFile(file)
    parsed++
  } catch {}
}
const baselineSeconds = (performance.now() - t0) / 1000
const baselineCpu = process.cpuUsage(cpu0)
const baselineCpuSeconds = (baselineCpu.user + baselineCpu.system) / 1e6
const baselineRate = files.length / baselineSeconds

// 2. The service, compiled as the image runs it. BENCH_SKIP_BUILD=1 reuses dist/.
if (process.env.BENCH_SKIP_BUILD !== '1') {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  cpSync(join(ROOT, 'sql'), join(ROOT, 'dist/sql'), { recursive: true })
}

const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-data-'))
const port = await freePort()
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  MEDIA_PATH: library,
  DATA_DIR: dataDir,
  // BENCH_LOG_LEVEL=info shows each scan's phase timings.
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  SCAN_ON_START: 'false',
  HOST: '127.0.0.1',
  PORT: String(port)
}
if (process.env.BENCH_POSTGRES_URL !== undefined) {
  // The first scan must find an empty library: the database named in the URL is recreated.
  await recreateDatabase(process.env.BENCH_POSTGRES_URL)
  env.POSTGRES_URL = process.env.BENCH_POSTGRES_URL
}
if (process.env.SCAN_BATCH_SIZE !== undefined) env.SCAN_BATCH_SIZE = process.env.SCAN_BATCH_SIZE
// e.g. BENCH_NODE_ARGS="--heapsnapshot-signal=SIGUSR2" to profile the service.
const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
const child = spawn(process.execPath, [...nodeArgs, 'dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'inherit', 'inherit'] })
const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
const pid = child.pid as number
process.stderr.write(`service pid ${pid}\n`)
const base = `http://127.0.0.1:${port}`

// VmHWM is the process's peak resident set (worker threads included: they share it); writing 5
// to clear_refs resets it to the current RSS, so each phase gets its own peak.
async function memory (): Promise<{ rssMb: number, peakMb: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0)
  return { rssMb: Math.round(kb('VmRSS') / 1024), peakMb: Math.round(kb('VmHWM') / 1024) }
}
// CPU seconds the service has used so far, all threads (utime + stime, in clock ticks of 1/100 s).
async function cpuSeconds (): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}
async function resetPeak (): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5')
}

for (let started = Date.now(); ;) {
  if (child.exitCode !== null) throw new Error('the service exited during start-up')
  try {
    if ((await fetch(`${base}/health/ready`)).ok) break
  } catch {}
  if (Date.now() - started > 180_000) throw new Error('the service did not become ready')
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const startup = await memory()

interface ScanBody { id: string, status: string, filesSeen: number, added: number, updated: number, failed: number, skipped: number, removed: number }
async function timedScan (): Promise<{ seconds: number, cpuSeconds: number, scan: ScanBody, rssBeforeMb: number, peakMb: number, rssAfterMb: number }> {
  const before = await memory()
  const cpuBefore = await cpuSeconds()
  await resetPeak()
  const start = performance.now()
  const res = await fetch(`${base}/api/scan/start`, { method: 'POST' })
  const id = ((await res.json()) as ScanBody).id
  for (;;) {
    const scan = (await (await fetch(`${base}/api/scans/${id}`)).json()) as ScanBody
    if (scan.status !== 'queued' && scan.status !== 'running') {
      const seconds = (performance.now() - start) / 1000
      const after = await memory()
      return { seconds, cpuSeconds: await cpuSeconds() - cpuBefore, scan, rssBeforeMb: before.rssMb, peakMb: after.peakMb, rssAfterMb: after.rssMb }
    }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// 3. First full scan, 4. no-change rescan, 5. a rescan after 1% of the files changed (every
// 100th, so across all folders).
const first = await timedScan()
const second = await timedScan()
const touchedAt = new Date()
const touched = files.filter((_f, i) => i % 100 === 0)
for (const file of touched) await utimes(file, touchedAt, touchedAt)
const third = await timedScan()
child.kill('SIGTERM')
await exited
await rm(dataDir, { recursive: true, force: true })

const firstRate = first.scan.added / first.seconds
const brief = (s: ScanBody): Omit<ScanBody, 'id'> => ({
  status: s.status, filesSeen: s.filesSeen, added: s.added, updated: s.updated, failed: s.failed, skipped: s.skipped, removed: s.removed
})
const out = {
  library,
  files: files.length,
  cpus: availableParallelism(),
  loadAverageAtStart: load,
  database: env.POSTGRES_URL === undefined ? 'pglite' : 'postgres',
  // CPU seconds: the bench process for the loop, the service (all its threads) for a scan;
  // PostgreSQL's own work is not counted. Less dependent on other jobs' load than the times.
  baseline: { seconds: +baselineSeconds.toFixed(2), cpuSeconds: +baselineCpuSeconds.toFixed(2), filesPerSecond: Math.round(baselineRate), parsed },
  firstScan: { seconds: +first.seconds.toFixed(2), cpuSeconds: +first.cpuSeconds.toFixed(2), tracksPerSecond: Math.round(firstRate), speedupVsBaseline: +(firstRate / baselineRate).toFixed(2), ...brief(first.scan) },
  rescan: { seconds: +second.seconds.toFixed(3), cpuSeconds: +second.cpuSeconds.toFixed(2), filesPerSecond: Math.round(second.scan.filesSeen / second.seconds), ...brief(second.scan) },
  // expectedSeconds: the no-change rescan plus the touched share of the first scan's time.
  touchedRescan: {
    touched: touched.length,
    seconds: +third.seconds.toFixed(3),
    cpuSeconds: +third.cpuSeconds.toFixed(2),
    expectedSeconds: +(second.seconds + first.seconds * touched.length / files.length).toFixed(3),
    ...brief(third.scan)
  },
  // The service process only (node dist/server.js), MB.
  serviceRss: {
    startupPeak: startup.peakMb,
    ready: startup.rssMb,
    firstScanPeak: first.peakMb,
    afterFirstScan: first.rssAfterMb,
    rescanPeak: second.peakMb,
    touchedRescanPeak: third.peakMb,
    peak: Math.max(startup.peakMb, first.peakMb, second.peakMb, third.peakMb)
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
