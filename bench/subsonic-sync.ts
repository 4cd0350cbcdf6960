// A whole-library sync as Symfonium and Feishin do it over the Subsonic API: `search3` with an
// empty query, one page of 500 songs (then albums, then artists) after another until a short
// page, over a 100,000-track library, through a real socket to the real process. Checks that
// every id in the database arrives exactly once and prints the time per page (p50/p95/max) and
// of the whole sync, in JSON and in XML in the same run. /rest answers have no response cache:
// every page is computed. Besides wall time, the CPU each page cost the service process and the
// PostgreSQL backends serving it (from /proc), which moves far less with the machine's load.
//   npm run bench:subsonic-sync
//   BENCH_DATABASES=postgres,pglite BENCH_ROUNDS=1 npm run bench:subsonic-sync
// PostgreSQL: the database in BENCH_SUBSONIC_POSTGRES_URL, seeded by bench/seed-db.ts unless it
// already holds BENCH_TRACKS tracks (its own: the sync user closes it to callers without a key).
// PGlite: a data folder kept in BENCH_PGLITE_DIR for the next run, seeded the same way.
// BENCH_NODE_ARGS passes flags to the service's node (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { XMLParser } from 'fast-xml-parser'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { openPglite } from '../lib/pglite.js'
import { newApiKey } from '../lib/users/api-keys.js'
import { hashPassword } from '../lib/users/passwords.js'
import { recreateDatabase } from './recreate-database.js'
import { seedLibraryInto } from './seed-db.js'
import { serviceEnv, waitForHealth } from './service.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const PORT = Number(process.env.BENCH_PORT ?? 18_095)
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2)
const PG_URL = process.env.BENCH_SUBSONIC_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench_subsonic'
const PGLITE_DIR = process.env.BENCH_PGLITE_DIR ?? join(tmpdir(), `sonantica-bench-subsonic-pglite-${TRACKS}`)
const DATABASES = (process.env.BENCH_DATABASES ?? 'postgres').split(',')
// The page size the apps ask for, and the largest search3 allows.
const PAGE = 500
const TARGET_P95_MS = 60
const USERNAME = 'bench-sync'
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean)
// /proc counts CPU time in clock ticks of 1/100 s on Linux.
const TICK_MS = 10

interface Kind { name: string, element: 'song' | 'album' | 'artist', table: string }
const KINDS: Kind[] = [
  { name: 'songs', element: 'song', table: 'tracks' },
  { name: 'albums', element: 'album', table: 'albums' },
  { name: 'artists', element: 'artist', table: 'artists' }
]
type Format = 'json' | 'xml'
type Ids = Record<Kind['element'], Set<string>>

// A plain user with a key of its own, as a phone signs in; made straight in the database
// (only the key's SHA-256 is kept), a new key each run.
async function syncKey (db: pg.Pool): Promise<string> {
  // Nobody logs in with this password; the column only needs a real hash.
  const passwordHash = await hashPassword(randomBytes(16).toString('hex'))
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO users (username, password_hash, role) VALUES ($1, $2, 'user')
     ON CONFLICT (lower(username)) WHERE username IS NOT NULL DO UPDATE SET password_hash = EXCLUDED.password_hash
     RETURNING id`, [USERNAME, passwordHash])
  const { key, hash } = newApiKey()
  await db.query('INSERT INTO api_keys (user_id, name, role, key_hash) VALUES ($1, $2, \'user\', $3)', [rows[0].id, 'subsonic sync bench', hash])
  return key
}

async function idsOf (db: pg.Pool): Promise<Ids> {
  const ids = {} as Ids
  for (const kind of KINDS) {
    const { rows } = await db.query<{ id: string }>(`SELECT id FROM ${kind.table}`)
    ids[kind.element] = new Set(rows.map((r) => r.id))
  }
  return ids
}

async function trackCount (db: pg.Pool): Promise<number> {
  try {
    return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM tracks')).rows[0].n
  } catch {
    return -1
  }
}

interface Prepared { key: string, ids: Ids, dataDir: string, env: NodeJS.ProcessEnv }

async function preparePostgres (): Promise<Prepared> {
  let db = new pg.Pool({ connectionString: PG_URL, max: 2 })
  if (await trackCount(db) !== TRACKS) {
    await db.end()
    await recreateDatabase(PG_URL)
    db = new pg.Pool({ connectionString: PG_URL, max: 2 })
    await seedLibraryInto(db, TRACKS, PG_URL)
  }
  try {
    const dataDir = await mkdtemp(join(tmpdir(), 'sonantica-bench-subsonic-'))
    return { key: await syncKey(db), ids: await idsOf(db), dataDir, env: { POSTGRES_URL: PG_URL } }
  } finally {
    await db.end()
  }
}

// The service opens the same folder afterwards: PGlite has one user at a time.
async function preparePglite (): Promise<Prepared> {
  const marker = join(PGLITE_DIR, `seeded-${TRACKS}`)
  const seeded = existsSync(marker)
  if (!seeded) await rm(PGLITE_DIR, { recursive: true, force: true })
  const pglite = await openPglite(join(PGLITE_DIR, 'pglite'))
  const db = new pg.Pool({ ...createPgConfig(pglite), max: 1 } as pg.PoolConfig)
  try {
    if (!seeded) {
      const started = Date.now()
      await seedLibraryInto(db, TRACKS, 'PGlite')
      await writeFile(marker, '')
      process.stdout.write(`PGlite seeded in ${((Date.now() - started) / 1000).toFixed(0)} s\n`)
    }
    return { key: await syncKey(db), ids: await idsOf(db), dataDir: PGLITE_DIR, env: {} }
  } finally {
    await db.end()
    await pglite.close()
  }
}

// User and system CPU a process has used so far.
async function cpuMs (pid: number): Promise<number> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    // utime and stime: fields 14 and 15 of stat(5), counted from the state (field 3).
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS
  } catch {
    return 0
  }
}

// CPU used by a set of processes: the service, and the PostgreSQL backends connected to its
// database (found again at the end: the pool may have opened more during the sync).
class CpuMeter {
  private readonly start = new Map<number, number>()
  constructor (private readonly pids: () => Promise<number[]>) {}

  async begin (): Promise<void> {
    this.start.clear()
    for (const pid of await this.pids()) this.start.set(pid, await cpuMs(pid))
  }

  async used (): Promise<number> {
    let total = 0
    for (const pid of await this.pids()) total += await cpuMs(pid) - (this.start.get(pid) ?? 0)
    return total
  }
}

// Lists are arrays in the XML reading too, however many items a page holds.
const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name, _path, _leaf, isAttribute) => !isAttribute && KINDS.some((k) => k.element === name)
})

type Answer = Record<string, unknown> & { status: string, error?: { code: number, message: string } }

function pageItems (text: string, format: Format, kind: Kind): Array<{ id: string }> {
  const body = format === 'json' ? JSON.parse(text) as Record<string, Answer> : xml.parse(text) as Record<string, Answer>
  const answer = body['subsonic-response']
  if (answer?.status !== 'ok') throw new Error(`search3 failed: ${JSON.stringify(answer?.error ?? text.slice(0, 300))}`)
  const result = answer.searchResult3 as Record<string, Array<{ id: string }> | undefined> | undefined
  if (result === undefined) throw new Error('search3 answered without searchResult3')
  return result[kind.element] ?? []
}

interface Sync {
  kind: Kind
  format: Format
  pages: number
  received: number
  duplicates: number
  // In the database but never received.
  gaps: number
  // Received but not in the database.
  unknown: number
  pageMs: number[]
  bytes: number
  parseMs: number
  wallMs: number
  serviceCpuMs: number
  // null: the database runs inside the service (PGlite).
  databaseCpuMs: number | null
}

interface Meters { service: CpuMeter, database: CpuMeter | null }

async function sync (base: string, key: string, kind: Kind, format: Format, expected: Set<string>, meters: Meters): Promise<Sync> {
  const counts = KINDS.map((k) => k === kind ? '' : `&${k.element}Count=0`).join('')
  const seen = new Set<string>()
  const result: Sync = { kind, format, pages: 0, received: 0, duplicates: 0, gaps: 0, unknown: 0, pageMs: [], bytes: 0, parseMs: 0, wallMs: 0, serviceCpuMs: 0, databaseCpuMs: null }
  // A server that ignored the offset would answer full pages for ever.
  const maxPages = Math.ceil(expected.size / PAGE) + 3
  await meters.service.begin()
  await meters.database?.begin()
  const started = performance.now()
  for (let offset = 0; result.pages < maxPages; offset += PAGE) {
    const url = `${base}/rest/search3?query=${counts}&${kind.element}Count=${PAGE}&${kind.element}Offset=${offset}&f=${format}&apiKey=${key}`
    const sent = performance.now()
    const res = await fetch(url)
    const text = await res.text()
    result.pageMs.push(performance.now() - sent)
    if (res.status !== 200) throw new Error(`${res.status} ${text.slice(0, 300)}`)
    result.pages++
    result.bytes += Buffer.byteLength(text)
    const parsing = performance.now()
    const items = pageItems(text, format, kind)
    result.parseMs += performance.now() - parsing
    for (const { id } of items) {
      if (seen.has(id)) result.duplicates++
      else if (!expected.has(id)) result.unknown++
      seen.add(id)
    }
    result.received += items.length
    if (items.length < PAGE) break
  }
  result.wallMs = performance.now() - started
  result.serviceCpuMs = await meters.service.used()
  result.databaseCpuMs = await meters.database?.used() ?? null
  for (const id of expected) if (!seen.has(id)) result.gaps++
  return result
}

// Nearest rank.
function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p / 100 * sorted.length) - 1)]
}

function row (s: Sync, inDatabase: number, round: number): string {
  const sorted = [...s.pageMs].sort((a, b) => a - b)
  const ms = (n: number): string => n.toFixed(1)
  return `| ${round} | ${s.kind.name} | ${s.format} | ${s.pages} | ${s.received} | ${inDatabase} | ${s.duplicates} | ${s.gaps} | ${s.unknown} | ` +
    `${ms(percentile(sorted, 50))} | ${ms(percentile(sorted, 95))} | ${ms(sorted[sorted.length - 1])} | ` +
    `${ms(s.serviceCpuMs / s.pages)} | ${s.databaseCpuMs === null ? '-' : ms(s.databaseCpuMs / s.pages)} | ` +
    `${(s.bytes / s.pages / 1024).toFixed(0)} | ${ms(s.parseMs / s.pages)} | ${(s.wallMs / 1000).toFixed(2)} |`
}

async function run (database: string): Promise<boolean> {
  const prepared = database === 'pglite' ? await preparePglite() : await preparePostgres()
  const env = { ...serviceEnv(prepared.dataDir, PORT), ...prepared.env }
  if (database === 'pglite') delete env.POSTGRES_URL
  const child = spawn(process.execPath, [...NODE_ARGS, '--import', 'tsx', join(ROOT, 'server.ts')], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env })
  // Finds the backends serving the service; PGlite runs inside it.
  const monitor = database === 'postgres' ? new pg.Client({ connectionString: PG_URL }) : null
  let sound = true
  try {
    await monitor?.connect()
    const backends = async (): Promise<number[]> => (await monitor?.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'))?.rows.map((r) => r.pid) ?? []
    const meters: Meters = { service: new CpuMeter(async () => [child.pid as number]), database: monitor === null ? null : new CpuMeter(backends) }
    const base = `http://127.0.0.1:${PORT}`
    await waitForHealth(`${base}/health/ready`, child, 120)
    const sizes = KINDS.map((k) => `${prepared.ids[k.element].size} ${k.table}`).join(', ')
    process.stdout.write(`\n${database}: ${sizes}; pages of ${PAGE}, one request at a time over one kept-alive connection; ` +
      `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n\n` +
      '| round | sync | format | pages | received | in database | duplicates | gaps | unknown ids | page p50 ms | p95 ms | max ms | ' +
      'service CPU ms/page | PostgreSQL CPU ms/page | KB/page | client parse ms/page | whole sync s |\n' +
      `|${' --- |'.repeat(17)}\n`)
    const songP95: Record<Format, number[]> = { json: [], xml: [] }
    for (let round = 1; round <= ROUNDS; round++) {
      for (const format of ['json', 'xml'] as const) {
        for (const kind of KINDS) {
          const expected = prepared.ids[kind.element]
          const s = await sync(base, prepared.key, kind, format, expected, meters)
          process.stdout.write(`${row(s, expected.size, round)}\n`)
          if (s.duplicates + s.gaps + s.unknown > 0 || s.received !== expected.size) sound = false
          if (kind.element === 'song') songP95[format].push(percentile([...s.pageMs].sort((a, b) => a - b), 95))
        }
      }
    }
    const worst = Math.max(...songP95.json)
    process.stdout.write(`\nsong pages, JSON: p95 ${songP95.json.map((p) => p.toFixed(1)).join(' / ')} ms per round ` +
      `(target < ${TARGET_P95_MS} ms: ${worst < TARGET_P95_MS ? 'met' : 'missed'}); XML: p95 ${songP95.xml.map((p) => p.toFixed(1)).join(' / ')} ms\n` +
      `every id exactly once: ${sound ? 'yes' : 'NO'}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
  } finally {
    await monitor?.end()
    child.kill('SIGTERM')
    await new Promise((resolve) => child.once('exit', resolve))
    if (database !== 'pglite') await rm(prepared.dataDir, { recursive: true, force: true })
  }
  return sound
}

process.stdout.write(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
for (const database of DATABASES) {
  if (!await run(database)) process.exitCode = 1
}
