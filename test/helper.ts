// Builds the app per test against a fresh database (PostgreSQL: a database created and dropped
// here; PGlite: a copy of a migrated template directory) and a Redis key prefix of its own.
import { createHash, randomBytes } from 'node:crypto'
import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import pg from 'pg'
import { Redis } from 'ioredis'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import tap, { type Test } from 'tap'
import app, { loggerOptions, serverOptions } from '../app.js'
import { loadConfig, type Env } from '../lib/config.js'
import { migrate, MIGRATIONS_DIR } from '../lib/migrate.js'
import { pgliteOptions } from '../lib/pglite.js'

// tap's Test type, kept structural so helpers need no tap internals.
export interface TestLike {
  after: (fn: () => unknown) => void
  comment: (...args: unknown[]) => void
}

export type Backend = 'pglite' | 'postgres'

export const PG_ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
export const REDIS_HOST = process.env.TEST_REDIS_HOST ?? '127.0.0.1'
export const REDIS_PORT = Number(process.env.TEST_REDIS_PORT ?? 6379)
// Set by .ci/run: a missing PostgreSQL or Redis then fails the run instead of skipping tests.
export const SERVICES_REQUIRED = process.env.REQUIRE_SERVICES === '1'

export function uniqueName (prefix: string): string {
  return `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`
}

let postgresUp: Promise<boolean> | undefined
let redisUp: Promise<boolean> | undefined

export function postgresAvailable (): Promise<boolean> {
  postgresUp ??= (async () => {
    const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2000 })
    try {
      await client.connect()
      await client.query('SELECT 1')
      return true
    } catch {
      return false
    } finally {
      await client.end().catch(() => {})
    }
  })().then((up) => requireOrWarn('PostgreSQL', PG_ADMIN_URL, up))
  return postgresUp
}

export function redisAvailable (): Promise<boolean> {
  redisUp ??= (async () => {
    const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => {})
    try {
      await client.connect()
      return (await client.ping()) === 'PONG'
    } catch {
      return false
    } finally {
      client.disconnect()
    }
  })().then((up) => requireOrWarn('Redis', `${REDIS_HOST}:${REDIS_PORT}`, up))
  return redisUp
}

function requireOrWarn (name: string, where: string, up: boolean): boolean {
  if (up) return true
  if (SERVICES_REQUIRED) throw new Error(`${name} is required (REQUIRE_SERVICES=1) but not reachable at ${where}`)
  process.stderr.write(`\n!!! ${name} is not reachable at ${where}: tests that need it are SKIPPED !!!\n\n`)
  return false
}

export async function skipReason (needs: { postgres?: boolean, redis?: boolean }): Promise<string | false> {
  if (needs.postgres === true && !(await postgresAvailable())) return `PostgreSQL not reachable at ${PG_ADMIN_URL}`
  if (needs.redis === true && !(await redisAvailable())) return `Redis not reachable at ${REDIS_HOST}:${REDIS_PORT}`
  return false
}

// A client reconnecting to a server a fault test stopped can keep a finished test process alive
// until tap's timeout. Once a file's tests are done, say what is still open and let it exit.
tap.teardown(() => {
  setTimeout(() => {
    process.stderr.write(`!!! test process still busy 15 s after its tests ended: ${process.getActiveResourcesInfo().join(', ')}\n`)
    process.exit()
  }, 15_000).unref()
})

// --- databases ---------------------------------------------------------------------------

export async function createDatabase (t: TestLike): Promise<string> {
  const name = uniqueName('sonantica_test')
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  t.after(() => dropDatabase(name))
  const url = new URL(PG_ADMIN_URL)
  url.pathname = `/${name}`
  return url.toString()
}

async function dropDatabase (name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  } finally {
    await admin.end()
  }
}

// PGlite's first start runs initdb (seconds). One migrated template per set of migrations is
// made once and copied per test; parallel test processes race to rename theirs into place.
async function pgliteTemplate (): Promise<string> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((f) => f.endsWith('.sql')).sort()
  const hash = createHash('sha256')
  for (const file of files) hash.update(file).update(await readFile(join(MIGRATIONS_DIR, file)))
  const target = join(tmpdir(), `sonantica-pglite-template-${hash.digest('hex').slice(0, 16)}`)
  if (existsSync(target)) return target
  const building = `${target}.building-${process.pid}-${randomBytes(3).toString('hex')}`
  const db = new PGlite(building, pgliteOptions())
  await db.waitReady
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  await migrate(pool)
  await pool.end()
  await db.close()
  try {
    await rename(building, target)
  } catch {
    await rm(building, { recursive: true, force: true })
  }
  return target
}

export async function tempDir (t: TestLike, prefix = 'sonantica-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

export async function pgliteDataDir (t: TestLike): Promise<string> {
  const dataDir = await tempDir(t, 'sonantica-data-')
  await mkdir(dataDir, { recursive: true })
  await cp(await pgliteTemplate(), join(dataDir, 'pglite'), { recursive: true })
  return dataDir
}

// --- redis -------------------------------------------------------------------------------

export async function redisPrefix (t: TestLike): Promise<string> {
  const prefix = uniqueName('sonantica-test')
  t.after(() => deleteRedisKeys(prefix))
  return prefix
}

async function deleteRedisKeys (prefix: string): Promise<void> {
  const client = new Redis({ host: REDIS_HOST, port: REDIS_PORT, maxRetriesPerRequest: 1, lazyConnect: true })
  client.on('error', () => {})
  try {
    await client.connect()
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500)
      cursor = next
      if (keys.length > 0) await client.del(...keys)
    } while (cursor !== '0')
  } catch {
    // Redis gone at teardown: nothing to clean.
  } finally {
    client.disconnect()
  }
}

// --- the app -----------------------------------------------------------------------------

export interface BuildOptions {
  backend?: Backend
  redis?: boolean
  mediaPath?: string
  // Extra environment, applied last (API_KEY, RUN_WORKER, ...).
  env?: Env
}

export interface TestEnv {
  env: Env
  dataDir: string
  mediaPath: string
}

// The environment a test app (or a spawned server/worker process) runs with.
export async function testEnv (t: TestLike, opts: BuildOptions = {}): Promise<TestEnv> {
  const backend = opts.backend ?? 'pglite'
  const env: Env = { LOG_LEVEL: 'silent', SCAN_ON_START: 'false', PORT: '0', HOST: '127.0.0.1' }
  let dataDir: string
  if (backend === 'postgres') {
    dataDir = await tempDir(t, 'sonantica-data-')
    env.POSTGRES_URL = await createDatabase(t)
  } else {
    dataDir = await pgliteDataDir(t)
  }
  env.DATA_DIR = dataDir
  const mediaPath = opts.mediaPath ?? await tempDir(t, 'sonantica-media-')
  env.MEDIA_PATH = mediaPath
  if (opts.redis === true) {
    env.REDIS_HOST = REDIS_HOST
    env.REDIS_PORT = String(REDIS_PORT)
    env.REDIS_PREFIX = await redisPrefix(t)
  }
  Object.assign(env, opts.env)
  return { env, dataDir, mediaPath }
}

export type TestApp = FastifyInstance

export async function buildWithEnv (t: TestLike, env: Env, opts: { logs?: Array<Record<string, unknown>>, rawLogs?: string[] } = {}): Promise<TestApp> {
  const config = loadConfig(env)
  // With `logs`, the app's lines at warn and above are collected, parsed, for tests to read;
  // with `rawLogs`, every line at the configured level, exactly as it would be written.
  const { logs, rawLogs } = opts
  const logger = rawLogs !== undefined
    ? { ...serverOptions(config).logger as object, stream: { write: (line: string) => { rawLogs.push(line) } } }
    : logs === undefined
      ? false
      : { ...loggerOptions('warn'), stream: { write: (line: string) => { logs.push(JSON.parse(line) as Record<string, unknown>) } } }
  const fastify = Fastify({ ...serverOptions(config), logger }).withTypeProvider<TypeBoxTypeProvider>()
  // Unencapsulated, so tests reach the app's decorators (app.pg, app.config, ...).
  await fastify.register(fp(app), { config })
  t.after(() => fastify.close())
  await fastify.ready()
  return fastify as unknown as TestApp
}

export async function build (t: TestLike, opts: BuildOptions = {}): Promise<TestApp> {
  const { env } = await testEnv(t, opts)
  return buildWithEnv(t, env)
}

// Runs the same subtest against every database backend (and, when asked, with and without
// Redis). Backends whose service is down are skipped loudly, or fail under REQUIRE_SERVICES.
export interface Variant {
  name: string
  backend: Backend
  redis: boolean
}

export function variants (opts: { redis?: 'both' | 'only' | 'never' } = {}): Variant[] {
  const redis = opts.redis ?? 'never'
  const out: Variant[] = []
  for (const backend of ['pglite', 'postgres'] as const) {
    if (redis !== 'only') out.push({ name: backend, backend, redis: false })
    if (redis !== 'never') out.push({ name: `${backend}+redis`, backend, redis: true })
  }
  return out
}

export async function variantSkip (v: Variant): Promise<string | false> {
  return skipReason({ postgres: v.backend === 'postgres', redis: v.redis })
}

// Runs fn as one subtest per variant; a variant whose service is down is reported as skipped.
export async function eachVariant (
  t: Test,
  opts: { redis?: 'both' | 'only' | 'never' },
  fn: (t: Test, v: Variant) => Promise<void>
): Promise<void> {
  for (const v of variants(opts)) {
    const skip = await variantSkip(v)
    await t.test(v.name, { skip }, async (t) => { await fn(t, v) })
  }
}
