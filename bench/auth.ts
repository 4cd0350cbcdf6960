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
const DURATION = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
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

interface Service { base: string, stop: () => Promise<void> }

async function startService (port: number, dbUrl: string, env: Record<string, string>): Promise<Service> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-auth-'))
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...serviceEnv(dataDir, port), POSTGRES_URL: dbUrl, MAX_CONNECTIONS_PER_IP: '0', ...env }
  })
  const base = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
  try {
    await waitForHealth(`${base}/health/ready`, child, 30)
  } catch (err) {
    await stop()
    throw err
  }
  return { base, stop }
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

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]

async function argon2Figures (): Promise<string> {
  const hash = await hashPassword('bench password')
  const rounds = 20
  const start = process.hrtime.bigint()
  for (let i = 0; i < rounds; i++) await passwordMatches(hash, 'wrong password')
  const ms = Number(process.hrtime.bigint() - start) / 1e6 / rounds
  return `Argon2id check (19 MiB, t=2, p=1): ${ms.toFixed(1)} ms each, ${rounds} in a row on one core`
}

// The open service needs a database nobody has signed up to: one of its own.
const OPEN_DB_URL = DB_URL.replace(/(\w+)$/, '$1_open')
await recreateDatabase(DB_URL)
await recreateDatabase(OPEN_DB_URL)
process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}; ${CONNECTIONS} connections; ${ROUNDS} rounds of ${DURATION} s per request kind, ` +
  `taken in turn so the machine's drift touches each alike; GET ${PATH} (response-cached)\n\n`)

// Two processes, each on its own database: one open (nobody signed up, no API_KEY), one with
// API_KEY and a signed-up user.
const open = await startService(PORT, OPEN_DB_URL, {})
const keyed = await startService(PORT + 1, DB_URL, { API_KEY: LEGACY_KEY })
try {
  const setup = await fetch(`${keyed.base}/api/auth/setup`, {
    method: 'POST',
    headers: { authorization: `Bearer ${LEGACY_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'bench', password: 'bench password' })
  })
  const key = (await setup.json() as { key: string }).key
  const kinds: Array<{ scenario: Scenario, base: string, expected: number }> = [
    { scenario: { name: 'open service, no key' }, base: open.base, expected: 200 },
    { scenario: { name: 'shared API_KEY (Bearer)', headers: { authorization: `Bearer ${LEGACY_KEY}` } }, base: keyed.base, expected: 200 },
    { scenario: { name: 'user key (Bearer)', headers: { authorization: `Bearer ${key}` } }, base: keyed.base, expected: 200 },
    { scenario: { name: 'user key (?api_key=)', path: `${PATH}&api_key=${key}` }, base: keyed.base, expected: 200 },
    { scenario: { name: 'unknown key, a new one each request (401)', randomKey: true }, base: keyed.base, expected: 401 }
  ]
  for (const kind of kinds) await measure(kind.base, kind.scenario, 2)
  const rates = kinds.map(() => [] as number[])
  const p99s = kinds.map(() => [] as number[])
  const wrong = kinds.map(() => 0)
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, kind] of kinds.entries()) {
      const r = await measure(kind.base, kind.scenario)
      rates[i].push(r.requests.average)
      p99s[i].push(r.latency.p99)
      // Answers other than the expected status.
      wrong[i] += r.errors + (kind.expected === 401 ? r['2xx'] : r.non2xx)
    }
  }
  const baseline = median(rates[0])
  const lines = [
    '| request | req/s (median) | vs open | p99 ms (median) | unexpected answers |',
    '| --- | --- | --- | --- | --- |',
    ...kinds.map((kind, i) => `| ${kind.scenario.name} | ${median(rates[i]).toFixed(0)} | ${(median(rates[i]) / baseline).toFixed(2)} | ${median(p99s[i])} | ${wrong[i]} |`)
  ]
  process.stdout.write(`${lines.join('\n')}\n\n${await argon2Figures()}\n`)
} finally {
  await open.stop()
  await keyed.stop()
}
