// What the key check costs a request: the same cheap, response-cached route asked with no key
// on an open service, with the shared API_KEY, with a user's key (header and query), and with a
// different unknown key every time (each one a database lookup: what a key-guessing flood costs).
// Also the price of one Argon2id password check, which is what a password guess costs.
//   npm run bench:auth        (PostgreSQL at BENCH_POSTGRES_URL's server; a database of its own)
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import autocannon from 'autocannon'
import { serviceEnv, waitForHealth } from './service.js'
import { recreateDatabase } from './recreate-database.js'
import { hashPassword, passwordMatches } from '../lib/users/passwords.js'

const PORT = Number(process.env.BENCH_PORT ?? 18_083)
const DURATION = Number(process.env.BENCH_SECONDS ?? 8)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const DB_URL = process.env.BENCH_AUTH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench_auth'
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PATH = '/api/library/alphabet-index?type=tracks'
const LEGACY_KEY = 'bench-shared-key'

interface Scenario {
  name: string
  headers?: Record<string, string>
  path?: string
  // A new random key per request.
  randomKey?: boolean
}

async function withService<T> (env: Record<string, string>, fn: (base: string) => Promise<T>): Promise<T> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-auth-'))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...serviceEnv(dataDir, PORT), POSTGRES_URL: DB_URL, MAX_CONNECTIONS_PER_IP: '0', ...env }
  })
  try {
    const base = `http://127.0.0.1:${PORT}`
    await waitForHealth(`${base}/health/ready`, child, 30)
    return await fn(base)
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}

async function measure (base: string, s: Scenario, duration = DURATION): Promise<autocannon.Result> {
  return await autocannon({
    url: base,
    connections: CONNECTIONS,
    duration,
    requests: [{
      method: 'GET',
      path: s.path ?? PATH,
      headers: s.headers,
      ...(s.randomKey === true
        ? { setupRequest: (req: Record<string, unknown>) => ({ ...req, headers: { authorization: `Bearer snt_${randomBytes(32).toString('base64url')}` } }) }
        : {})
    }]
  })
}

function row (name: string, r: autocannon.Result, baseline: number, expected: number): string {
  // Answers other than the expected status.
  const wrong = expected === 401 ? r['2xx'] : r.non2xx
  return `| ${name} | ${r.requests.average.toFixed(0)} | ${(r.requests.average / baseline).toFixed(2)} | ${r.latency.p50} | ${r.latency.p99} | ${r.errors + wrong} |`
}

async function argon2Figures (): Promise<string> {
  const hash = await hashPassword('bench password')
  const rounds = 20
  const start = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) await passwordMatches(hash, 'wrong password')
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / rounds
  return `Argon2id check (19 MiB, t=2, p=1): ${ms.toFixed(1)} ms each, ${rounds} in a row on one core`
}

await recreateDatabase(DB_URL)
process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${CONNECTIONS} connections, ${DURATION} s each; GET ${PATH} (response-cached)\n\n`)

// Open: nobody signed up, no API_KEY.
const open = await withService({}, async (base) => {
  await measure(base, { name: 'warm-up' }, 2)
  return await measure(base, { name: 'open' })
})

const lines = await withService({ API_KEY: LEGACY_KEY }, async (base) => {
  const setup = await fetch(`${base}/api/auth/setup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LEGACY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench password' })
  })
  const key = (await setup.json() as { key: string }).key
  await measure(base, { name: 'warm-up', headers: { authorization: `Bearer ${key}` } }, 2)
  const baseline = open.requests.average
  const out = [
    '| request | req/s | vs open | p50 ms | p99 ms | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    row('open service, no key', open, baseline, 200)
  ]
  out.push(row('shared API_KEY (Bearer)', await measure(base, { name: 'legacy', headers: { authorization: `Bearer ${LEGACY_KEY}` } }), baseline, 200))
  out.push(row('user key (Bearer)', await measure(base, { name: 'user', headers: { authorization: `Bearer ${key}` } }), baseline, 200))
  out.push(row('user key (?api_key=)', await measure(base, { name: 'query', path: `${PATH}&api_key=${key}` }), baseline, 200))
  out.push(row('unknown key, a new one each request (401)', await measure(base, { name: 'flood', randomKey: true }), baseline, 401))
  return out
})

process.stdout.write(`${lines.join('\n')}\n\n${await argon2Figures()}\n`)
