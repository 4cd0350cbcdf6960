// The web app's start-up: the three whole-library requests it fires together
// (tracks, artists and albums with limit=-1) against a 100,000-track library, on PostgreSQL and
// on embedded PGlite. Prints each request's time to last byte, the time until all three are
// done, and the service's peak RSS growth (VmHWM after, reset just before, minus VmRSS before).
// Each database gets a cold pass (bodies built from the database) and a warm one (reused from
// disk: the library has not changed).
//   npm run bench:whole-library
//   BENCH_DATABASES=pglite BENCH_TRACKS=20000 npm run bench:whole-library
// PostgreSQL: the database in BENCH_WHOLE_POSTGRES_URL, seeded by bench/seed-db.ts unless it
// already holds BENCH_TRACKS tracks. PGlite: a data folder kept in BENCH_PGLITE_DIR
// (default: the OS temp folder) for the next run, seeded the same way.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { openPglite } from '../lib/pglite.js'
import { recreateDatabase } from './recreate-database.js'
import { REALISTIC, seedLibraryInto } from './seed-db.js'
import { serviceEnv, waitForHealth } from './service.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PORT = Number(process.env.BENCH_PORT ?? 18_091)
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000)
// BENCH_LIBRARY=realistic (bench/seed-db.ts) seeds realistic names; each kind has its own database and folder.
const KIND = REALISTIC ? 'realistic' : 'synthetic'
const PG_URL = process.env.BENCH_WHOLE_POSTGRES_URL ?? `postgres://postgres@127.0.0.1:5432/sonantica_bench_whole${REALISTIC ? '_realistic' : ''}`
const PGLITE_DIR = process.env.BENCH_PGLITE_DIR ?? join(tmpdir(), `sonantica-bench-pglite-${KIND}-${TRACKS}`)
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',')
const PATHS = ['/api/library/tracks?limit=-1', '/api/library/artists?limit=-1', '/api/library/albums?limit=-1']

async function trackCount (pool: pg.Pool): Promise<number> {
  try {
    return (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks')).rows[0].n
  } catch {
    return -1
  }
}

async function preparePostgres (): Promise<void> {
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  const n = await trackCount(pool).catch(() => -1)
  await pool.end()
  if (n === TRACKS) return
  await recreateDatabase(PG_URL)
  const fresh = new pg.Pool({ connectionString: PG_URL, max: 2 })
  await seedLibraryInto(fresh, TRACKS, PG_URL)
  await fresh.end()
}

async function preparePglite (): Promise<void> {
  const marker = join(PGLITE_DIR, `seeded-${KIND}-${TRACKS}`)
  if (existsSync(marker)) return
  await rm(PGLITE_DIR, { recursive: true, force: true })
  const db = await openPglite(join(PGLITE_DIR, 'pglite'))
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  const started = Date.now()
  await seedLibraryInto(pool, TRACKS, 'PGlite')
  await pool.end()
  await db.close()
  await writeFile(marker, '')
  process.stdout.write(`PGlite seeded in ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
}

async function status (pid: number): Promise<{ rss: number, hwm: number }> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8')
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(text)?.[1] ?? 0)
  return { rss: kb('VmRSS') * 1024, hwm: kb('VmHWM') * 1024 }
}

interface Timed { path: string, ms: number, bytes: number, items: number }

async function timeToLastByte (url: string, started: number): Promise<Timed> {
  const res = await fetch(url)
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  const text = await res.text()
  const ms = performance.now() - started
  // Parsing 100 MB blocks this process: let the other two responses' timings finish first.
  await new Promise((resolve) => setTimeout(resolve, 0))
  const body = JSON.parse(text) as Record<string, unknown[] | number>
  const items = Object.values(body).find(Array.isArray)?.length ?? 0
  if (items !== body.total) throw new Error(`${url}: ${items} items but total ${String(body.total)}`)
  return { path: new URL(url).pathname + new URL(url).search, ms, bytes: Buffer.byteLength(text), items }
}

// CPU seconds the service has used (user + system): unlike times on a shared machine, it does
// not grow with other processes' load.
async function cpuSeconds (pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

async function pass (base: string, pid: number): Promise<string[]> {
  const before = await status(pid)
  const cpuBefore = await cpuSeconds(pid)
  // Resets VmHWM to the current RSS: the peak read after is this pass's.
  await writeFile(`/proc/${pid}/clear_refs`, '5')
  const started = performance.now()
  const results = await Promise.all(PATHS.map(async (path) => timeToLastByte(`${base}${path}`, started)))
  // The last of the three last bytes (checking the bodies after is not the service's time).
  const all = Math.max(...results.map((r) => r.ms))
  const after = await status(pid)
  const cpu = await cpuSeconds(pid) - cpuBefore
  const growth = (after.hwm - before.rss) / 1024 / 1024
  return [
    ...results.map((r) => `${r.path}: ${r.items} items, ${(r.bytes / 1024 / 1024).toFixed(1)} MB, last byte at ${r.ms.toFixed(0)} ms`),
    `all three: ${all.toFixed(0)} ms (target < 3000), service CPU ${cpu.toFixed(2)} s; peak RSS growth ${growth.toFixed(0)} MB (target < 150), RSS before ${(before.rss / 1024 / 1024).toFixed(0)} MB`
  ]
}

async function run (database: string): Promise<void> {
  const dataDir = database === 'pglite' ? PGLITE_DIR : await mkdtemp(join(tmpdir(), 'sonantica-bench-whole-'))
  const env = serviceEnv(dataDir, PORT)
  if (database === 'postgres') env.POSTGRES_URL = PG_URL
  else delete env.POSTGRES_URL
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server.ts')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env })
  try {
    const base = `http://127.0.0.1:${PORT}`
    await waitForHealth(`${base}/health/ready`, child, 120)
    const pid = child.pid as number
    process.stdout.write(`\n${database}, ${TRACKS} ${KIND} tracks, cold (built from the database):\n`)
    for (const line of await pass(base, pid)) process.stdout.write(`  ${line}\n`)
    process.stdout.write(`${database}, warm (the same three again, library unchanged):\n`)
    for (const line of await pass(base, pid)) process.stdout.write(`  ${line}\n`)
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    if (database !== 'pglite') await rm(dataDir, { recursive: true, force: true })
  }
}

process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
for (const database of DATABASES) {
  if (database === 'postgres') await preparePostgres()
  else await preparePglite()
  await run(database)
}
