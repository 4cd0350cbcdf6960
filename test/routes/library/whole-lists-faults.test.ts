// Whole lists over a real socket while the database is slow or fails: a client that leaves
// stops the reading and nothing is kept; a database failure is a clean 503 and the next request
// works. The list's first read is held back with a table lock taken by another session.
import t from 'tap'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import pg from 'pg'
import { build, skipReason, type TestApp, type TestLike } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'

const URL_PATH = '/api/library/tracks?limit=-1'

async function setup (t: TestLike): Promise<{ app: TestApp, port: number, admin: pg.Client, database: string }> {
  const app = await build(t, { backend: 'postgres' })
  await seedLibrary(app.pg, sampleTracks())
  await app.listen({ port: 0, host: '127.0.0.1' })
  const port = (app.server.address() as AddressInfo).port
  const database = (await app.pg.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db
  const admin = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:5432/${database}` })
  await admin.connect()
  t.after(async () => { await admin.end().catch(() => {}) })
  return { app, port, admin, database }
}

async function waitFor (what: string, check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

async function blockedPid (admin: pg.Client, database: string): Promise<number | null> {
  const { rows } = await admin.query<{ pid: number }>(
    'SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = \'Lock\' AND pid <> pg_backend_pid()', [database])
  return rows[0]?.pid ?? null
}

const checkedOut = (app: TestApp): number => app.pg.pool.totalCount - app.pg.pool.idleCount

t.test('a client that disconnects while its whole list is read stops the reads; nothing is kept', { skip: await skipReason({ postgres: true }) }, async (t) => {
  const { app, port, admin, database } = await setup(t)
  await admin.query('BEGIN')
  await admin.query('LOCK TABLE tracks IN ACCESS EXCLUSIVE MODE')
  const req = http.get({ host: '127.0.0.1', port, path: URL_PATH })
  req.on('error', () => {})
  await waitFor('the list to wait for the lock', async () => (await blockedPid(admin, database)) !== null)
  req.destroy()
  // The server sees the socket close, then the lock goes and the list would go on.
  await new Promise((resolve) => setTimeout(resolve, 200))
  await admin.query('COMMIT')
  await waitFor('the connection to come back', async () => checkedOut(app) === 0)
  t.same(app.wholeLists.cache.counts, { builds: 1, hits: 0 })
  t.equal(app.wholeLists.cache.size, 0, 'an abandoned list is not kept')
  const again = await app.inject(URL_PATH)
  t.equal(again.statusCode, 200)
  t.equal(again.json().tracks.length, 46)
})

t.test('a database failure while a whole list is read is a clean 503; the next request works', { skip: await skipReason({ postgres: true }) }, async (t) => {
  const { app, port, admin, database } = await setup(t)
  await admin.query('BEGIN')
  await admin.query('LOCK TABLE tracks IN ACCESS EXCLUSIVE MODE')
  const response = new Promise<{ status: number, body: string }>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: URL_PATH }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
      res.on('error', reject)
    }).on('error', reject)
  })
  let pid: number | null = null
  await waitFor('the list to wait for the lock', async () => (pid = await blockedPid(admin, database)) !== null)
  await admin.query('SELECT pg_terminate_backend($1)', [pid])
  await admin.query('COMMIT')
  const { status, body } = await response
  t.equal(status, 503)
  t.match(JSON.parse(body), { statusCode: 503, code: 'DEPENDENCY_DOWN' })
  t.equal(app.wholeLists.cache.size, 0)
  await waitFor('the connection to come back', async () => checkedOut(app) === 0)
  const again = await app.inject(URL_PATH)
  t.equal(again.statusCode, 200)
  t.equal(again.json().total, 46)
})
