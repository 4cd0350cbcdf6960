// Scan benchmark on one library: npm run bench:scan -- <library dir>
// Reports the plain sequential parseFile loop (baseline), the first full scan, a no-change rescan,
// and peak RSS. Uses embedded PGlite, or PostgreSQL when BENCH_POSTGRES_URL is set.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir, availableParallelism } from 'node:os'
import { join } from 'node:path'
import fg from 'fast-glob'
import Fastify from 'fastify'
import { parseFile } from 'music-metadata'
import app, { serverOptions } from '../app.js'
import { loadConfig } from '../lib/config.js'
import { isAudioPath } from '../lib/scan/audio-files.js'

const library = process.argv[2]
if (library === undefined) {
  process.stderr.write('usage: bench/scan.ts <library dir>\n')
  process.exit(2)
}

const files = (await fg('**/*', { cwd: library, absolute: true, onlyFiles: true })).filter(isAudioPath)

// 1. Baseline: what one plain loop of music-metadata costs on this machine.
let t0 = performance.now()
let parsed = 0
for (const file of files) {
  try {
    await parseFile(file)
    parsed++
  } catch {}
}
const baselineSeconds = (performance.now() - t0) / 1000
const baselineRate = files.length / baselineSeconds
const baselineRssMb = process.resourceUsage().maxRSS / 1024

const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-data-'))
const env: Record<string, string> = {
  MEDIA_PATH: library, DATA_DIR: dataDir, LOG_LEVEL: 'warn', SCAN_ON_START: 'false', HOST: '127.0.0.1', PORT: '0'
}
if (process.env.BENCH_POSTGRES_URL !== undefined) env.POSTGRES_URL = process.env.BENCH_POSTGRES_URL
if (process.env.SCAN_BATCH_SIZE !== undefined) env.SCAN_BATCH_SIZE = process.env.SCAN_BATCH_SIZE
const config = loadConfig(env)
// PGlite's first start (initdb) can exceed Fastify's 10 s plugin timeout on a busy machine.
const fastify = Fastify({ ...serverOptions(config), logger: { level: 'warn' }, pluginTimeout: 120_000 })
await fastify.register(app, { config })
await fastify.ready()

interface ScanBody { id: string, status: string, filesSeen: number, added: number, updated: number, failed: number, removed: number }
async function timedScan (): Promise<{ seconds: number, scan: ScanBody }> {
  const start = performance.now()
  const res = await fastify.inject({ method: 'POST', url: '/api/scan/start' })
  const id = (res.json() as ScanBody).id
  for (;;) {
    const scan = (await fastify.inject(`/api/scans/${id}`)).json() as ScanBody
    if (scan.status !== 'queued' && scan.status !== 'running') return { seconds: (performance.now() - start) / 1000, scan }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

// 2. First full scan, 3. no-change rescan.
const first = await timedScan()
const second = await timedScan()
const peakRssMb = process.resourceUsage().maxRSS / 1024
await fastify.close()
await rm(dataDir, { recursive: true, force: true })

const firstRate = first.scan.added / first.seconds
const out = {
  library,
  files: files.length,
  cpus: availableParallelism(),
  database: env.POSTGRES_URL === undefined ? 'pglite' : 'postgres',
  baseline: { seconds: +baselineSeconds.toFixed(2), filesPerSecond: Math.round(baselineRate), parsed },
  firstScan: { seconds: +first.seconds.toFixed(2), tracksPerSecond: Math.round(firstRate), speedupVsBaseline: +(firstRate / baselineRate).toFixed(2), ...first.scan, errors: undefined },
  rescan: { seconds: +second.seconds.toFixed(3), filesPerSecond: Math.round(second.scan.filesSeen / second.seconds), ...second.scan, errors: undefined },
  peakRssMb: Math.round(peakRssMb),
  peakRssAfterBaselineMb: Math.round(baselineRssMb)
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`)
