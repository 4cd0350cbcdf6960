// Start-up: time from spawning the service, as the Docker image runs it (`node dist/server.js`,
// built here first), to its first `/health` 200, on a fresh DATA_DIR (PGlite: initdb and every
// migration; PostgreSQL: an empty database, every migration) and again on the same DATA_DIR and
// database (nothing left to create). Each case runs BENCH_RUNS times (default 3); the table
// gives the median and the range, and the service's RSS once healthy.
//   npm run bench:startup
//   BENCH_DATABASES=pglite BENCH_RUNS=5 BENCH_SKIP_BUILD=1 npm run bench:startup
// PostgreSQL: the database in BENCH_STARTUP_POSTGRES_URL is dropped and recreated for each fresh
// start. PGlite: data folders under the OS temp folder, removed afterwards.
import { execFileSync, spawn } from 'node:child_process'
import { cpSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { recreateDatabase } from './recreate-database.js'
import { serviceEnv } from './service.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PORT = Number(process.env.BENCH_PORT ?? 18_101)
const RUNS = Number(process.env.BENCH_RUNS ?? 3)
const PG_URL = process.env.BENCH_STARTUP_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench_startup'
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',')

if (process.env.BENCH_SKIP_BUILD !== '1') {
  execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' })
  cpSync(join(ROOT, 'sql'), join(ROOT, 'dist/sql'), { recursive: true })
}

async function rssMb (pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+)/.exec(text)?.[1] ?? 0) / 1024
}

// Milliseconds from spawn to the first 200 of /health, polled every 10 ms; and the RSS then.
async function timeToHealth (env: NodeJS.ProcessEnv): Promise<{ ms: number, rss: number }> {
  const started = performance.now()
  const child = spawn(process.execPath, ['dist/server.js'], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] })
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`)
      if (performance.now() - started > 120_000) throw new Error('service did not answer /health within 120 s')
      const ok = await fetch(`http://127.0.0.1:${PORT}/health`).then((r) => r.ok, () => false)
      if (ok) return { ms: performance.now() - started, rss: await rssMb(child.pid as number) }
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
  }
}

function summary (label: string, runs: Array<{ ms: number, rss: number }>, target: string): string {
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)
  const median = ms[Math.floor(ms.length / 2)]
  const rss = runs.map((r) => r.rss).sort((a, b) => a - b)[Math.floor(runs.length / 2)]
  return `| ${label} | ${median.toFixed(0)} | ${ms[0].toFixed(0)}–${ms[ms.length - 1].toFixed(0)} | ${rss.toFixed(0)} | ${target} |`
}

async function measure (database: string): Promise<string[]> {
  const fresh: Array<{ ms: number, rss: number }> = []
  const again: Array<{ ms: number, rss: number }> = []
  for (let i = 0; i < RUNS; i++) {
    const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-startup-'))
    try {
      const env = serviceEnv(dataDir, PORT)
      if (database === 'postgres') {
        await recreateDatabase(PG_URL)
        env.POSTGRES_URL = PG_URL
      } else {
        delete env.POSTGRES_URL
      }
      fresh.push(await timeToHealth(env))
      again.push(await timeToHealth(env))
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  }
  return [
    summary(`${database}, fresh DATA_DIR`, fresh, '–'),
    summary(`${database}, existing DATA_DIR`, again, '< 2000 ms')
  ]
}

process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${RUNS} runs each\n`)
process.stdout.write('| start | median ms to /health 200 | range | RSS MB then | target |\n| --- | --- | --- | --- | --- |\n')
for (const database of DATABASES) {
  for (const line of await measure(database)) process.stdout.write(`${line}\n`)
}
