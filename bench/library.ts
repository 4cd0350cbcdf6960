// Library API under load: starts the real service (LOG_LEVEL=warn) on the benchmark database
// made by bench/seed-db.ts and drives it with autocannon at 16 connections.
//   npm run bench:seed-db && npm run bench:library
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
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
  { name: 'albums sort=year', paths: ['/api/library/albums?sort=year'], target: 'p99 < 25 ms' },
  {
    name: 'search',
    // A typo, a partial word, two accent-free artists, two words.
    paths: ['electirc', 'midnigh', 'sigur ros', 'beyonce', 'velvet ocean'].map((q) => `/api/library/search?q=${encodeURIComponent(q)}`),
    target: 'p95 < 50 ms'
  }
]

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
const MODES = [
  { name: 'response cache on (default)', env: {} },
  { name: 'response cache off (RESPONSE_CACHE_MB=0): every request computed', env: { RESPONSE_CACHE_MB: '0' } }
]

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
    for (const scenario of SCENARIOS) {
      const r = await measure(base, scenario)
      const errors = r.errors + r.non2xx
      rows.push(`| ${scenario.name} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p90} | ${r.latency.p97_5} | ${r.latency.p99} | ${errors} | ${scenario.target} |`)
    }
    return [
      `${mode.name}:`,
      '| scenario | req/s | p50 | p90 | p97.5 | p99 | errors | target |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
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
