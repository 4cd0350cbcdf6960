// Library API under load: starts the real service (LOG_LEVEL=warn) on the benchmark database
// made by bench/seed-db.ts and drives it with autocannon at 16 connections.
//   npm run bench:seed-db && npm run bench:library
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { readFile } from 'node:fs/promises'
import autocannon from 'autocannon'
import pg from 'pg'
import { BENCH_DB_URL } from './seed-db.js'
import { serviceEnv, waitForHealth } from './service.js'

const PORT = Number(process.env.BENCH_PORT ?? 18_081)
const DURATION = Number(process.env.BENCH_SECONDS ?? 10)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const ROOT = fileURLToPath(new URL('..', import.meta.url))

interface Scenario {
  name: string
  paths: string[]
  target: string
}

const SCENARIOS: Scenario[] = [
  { name: 'tracks offset 0', paths: ['/api/library/tracks?limit=50'], target: 'p99 < 25 ms' },
  { name: 'tracks offset 90000', paths: ['/api/library/tracks?limit=50&offset=90000'], target: '<= 2x offset 0' },
  { name: 'albums', paths: ['/api/library/albums?limit=50'], target: 'p99 < 25 ms' },
  { name: 'albums sort=year', paths: ['/api/library/albums?sort=year'], target: 'p99 < 25 ms' },
  { name: 'artists', paths: ['/api/library/artists?limit=50'], target: 'p99 < 25 ms' },
  {
    name: 'search',
    // A typo, a partial word, two accent-free artists, two words.
    paths: ['electirc', 'midnigh', 'sigur ros', 'beyonce', 'velvet ocean'].map((q) => `/api/library/search?q=${encodeURIComponent(q)}`),
    target: 'p95 < 50 ms'
  }
]

// CPU seconds a process has used (user + system), from /proc/<pid>/stat; 0 once it is gone.
async function cpuSeconds (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields.length < 13 ? 0 : (Number(fields[11]) + Number(fields[12])) / 100
}

// The CPU the service and its PostgreSQL backends spent per request: unlike latencies on a
// shared machine, it does not grow with other processes' load.
async function databaseCpu (admin: pg.Pool): Promise<number> {
  const name = new URL(BENCH_DB_URL).pathname.slice(1)
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name])
  let total = 0
  for (const { pid } of rows) total += await cpuSeconds(pid)
  return total
}

async function measure (base: string, scenario: Scenario): Promise<autocannon.Result> {
  return autocannon({
    url: base,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: scenario.paths.map((path) => ({ method: 'GET', path }))
  })
}

// Two passes over the same scenarios: as shipped (repeated requests are answered from the
// response cache until the library changes), then with RESPONSE_CACHE_MB=0 so every request
// computes its page or search in the database: the cost of a first visit.
// BENCH_CACHE=off runs only the second pass.
const MODES = [
  { name: 'response cache on (default)', env: {} },
  { name: 'response cache off (RESPONSE_CACHE_MB=0): every request computed', env: { RESPONSE_CACHE_MB: '0' } }
].filter((mode) => process.env.BENCH_CACHE !== 'off' || 'RESPONSE_CACHE_MB' in mode.env)

async function runMode (mode: typeof MODES[number]): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-'))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...serviceEnv(dataDir, PORT),
      POSTGRES_URL: BENCH_DB_URL,
      // All load comes from one address; BENCH_CONNECTIONS may exceed the per-address cap.
      MAX_CONNECTIONS_PER_IP: '0',
      ...mode.env
    }
  })
  try {
    const base = `http://127.0.0.1:${PORT}`
    await waitForHealth(`${base}/health/ready`, child, 20)
    // One short warm-up pass: JIT, connection pool, caches.
    for (const s of SCENARIOS) await autocannon({ url: base, connections: CONNECTIONS, duration: 2, requests: s.paths.map((path) => ({ method: 'GET', path })) })

    const rows: string[] = []
    const admin = new pg.Pool({ connectionString: BENCH_DB_URL, max: 1 })
    try {
      for (const scenario of SCENARIOS) {
        const before = { service: await cpuSeconds(child.pid as number), db: await databaseCpu(admin) }
        const r = await measure(base, scenario)
        const service = (await cpuSeconds(child.pid as number) - before.service) * 1000 / (r['2xx'] + r.non2xx)
        const db = (await databaseCpu(admin) - before.db) * 1000 / (r['2xx'] + r.non2xx)
        const errors = r.errors + r.non2xx
        rows.push(`| ${scenario.name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p97_5} | ${r.latency.p99} | ${service.toFixed(2)} | ${db.toFixed(2)} | ${errors} | ${scenario.target} |`)
      }
    } finally {
      await admin.end()
    }
    return [
      `${mode.name}:`,
      '| scenario | req/s | p50 | p90 | p97.5 | p99 | service CPU ms/req | database CPU ms/req | errors | target |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows
    ].join('\n')
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}

process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${CONNECTIONS} connections, ${DURATION} s each, latencies in ms (p97.5 stands in for p95: it bounds it from above)\n`)
for (const mode of MODES) process.stdout.write(`\n${await runMode(mode)}\n`)
