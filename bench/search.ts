// Search on a realistic library (issue 15): the queries a user types (bench/realistic-library.ts:
// one word, two words, a word without its accents, a word with one typo) sent one after another
// to the real service with the response cache off (RESPONSE_CACHE_MB=0), on PostgreSQL and on
// embedded PGlite. Prints p50/p95/max per kind of query, and the first search after seeding,
// which takes the library's words (lib/library/search-words.ts).
//   npm run bench:search
//   BENCH_DATABASES=pglite BENCH_TRACKS=20000 npm run bench:search
// Each database is seeded afresh (BENCH_LIBRARY=realistic unless set): PostgreSQL in
// BENCH_SEARCH_POSTGRES_URL, PGlite in a folder of the OS temp folder removed afterwards.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { openPglite } from '../lib/pglite.js'
import { realisticAlbums, realisticQueries, type RealQueries } from './realistic-library.js'
import { recreateDatabase } from './recreate-database.js'
import { serviceEnv, waitForHealth } from './service.js'

process.env.BENCH_LIBRARY ??= 'realistic'
// Read by seed-db when it loads, hence after the line above.
const { seedLibraryInto } = await import('./seed-db.js')

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PORT = Number(process.env.BENCH_PORT ?? 18_095)
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000)
const QUERIES = Number(process.env.BENCH_QUERIES ?? 100)
const PG_URL = process.env.BENCH_SEARCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench_search'
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres,pglite').split(',')
const TARGET_MS = 50

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' ')

async function seedPostgres (): Promise<NodeJS.ProcessEnv> {
  await recreateDatabase(PG_URL)
  const pool = new pg.Pool({ connectionString: PG_URL, max: 2 })
  try {
    await seedLibraryInto(pool, TRACKS, PG_URL)
  } finally {
    await pool.end()
  }
  return { POSTGRES_URL: PG_URL }
}

async function seedPglite (dataDir: string): Promise<NodeJS.ProcessEnv> {
  const db = await openPglite(join(dataDir, 'pglite'))
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 })
  try {
    await seedLibraryInto(pool, TRACKS, 'PGlite')
  } finally {
    await pool.end()
    await db.close()
  }
  return {}
}

async function timed (url: string): Promise<number> {
  const start = performance.now()
  const res = await fetch(url)
  await res.arrayBuffer()
  if (!res.ok) throw new Error(`${url}: ${res.status}`)
  return performance.now() - start
}

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

async function runDatabase (name: string, queries: RealQueries): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), 'search-bench-'))
  const seedStart = performance.now()
  const env = name === 'postgres' ? await seedPostgres() : await seedPglite(dataDir)
  const seedSeconds = (performance.now() - seedStart) / 1000
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...serviceEnv(dataDir, PORT), ...env, RESPONSE_CACHE_MB: '0' }
  })
  try {
    const base = `http://127.0.0.1:${PORT}/api/library/search?q=`
    await waitForHealth(`http://127.0.0.1:${PORT}/health/ready`, child, 120)
    const first = await timed(`${base}${encodeURIComponent('first')}`)
    // Warm-up: JIT, the connection pool, the database's caches; not measured.
    for (const list of Object.values(queries)) for (const q of list.slice(0, 10)) await timed(`${base}${encodeURIComponent(q)}`)
    const rows: string[] = []
    const all: number[] = []
    for (const [kind, list] of Object.entries(queries)) {
      const times: number[] = []
      for (const q of list) times.push(await timed(`${base}${encodeURIComponent(q)}`))
      times.sort((a, b) => a - b)
      all.push(...times)
      const p95 = percentile(times, 0.95)
      rows.push(`| ${kind} | ${times.length} | ${percentile(times, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${times[times.length - 1].toFixed(1)} | ${p95 < TARGET_MS ? 'yes' : 'no'} |`)
    }
    all.sort((a, b) => a - b)
    const p95 = percentile(all, 0.95)
    rows.push(`| all | ${all.length} | ${percentile(all, 0.5).toFixed(1)} | ${p95.toFixed(1)} | ${all[all.length - 1].toFixed(1)} | ${p95 < TARGET_MS ? 'yes' : 'no'} |`)
    return [
      `${name}: seeded in ${seedSeconds.toFixed(0)} s; first search (takes the library's words) ${first.toFixed(0)} ms; load average ${load()}`,
      `| queries | n | p50 ms | p95 ms | max ms | p95 < ${TARGET_MS} ms |`,
      '| --- | --- | --- | --- | --- | --- |',
      ...rows
    ].join('\n')
  } finally {
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    await rm(dataDir, { recursive: true, force: true })
  }
}

const queries = realisticQueries(realisticAlbums(TRACKS), QUERIES)
process.stdout.write(`${TRACKS} tracks (${process.env.BENCH_LIBRARY}), ${QUERIES} queries of each kind one after another, response cache off; load average ${load()}\n`)
for (const name of DATABASES) process.stdout.write(`\n${await runDatabase(name, queries)}\n`)
