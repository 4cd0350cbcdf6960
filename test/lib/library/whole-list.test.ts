// writeWholeList reads a list in batches inside one snapshot, stops reading when its client is
// gone, and hands its connection back after any failure.
import t from 'tap'
import pg from 'pg'
import { build, eachVariant, skipReason, PG_ADMIN_URL, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { wholeTracks } from '../../../lib/library/track-repository.js'
import { WholeListAborted, writeWholeList, type PoolLike } from '../../../lib/library/whole-list.js'
import { OWNER_ID } from '../../../lib/users/caller.js'

const spec = wholeTracks({ offset: 0, sort: 'title', order: 'asc', viewer: OWNER_ID })
const poolOf = (app: TestApp): PoolLike => app.pg.pool as unknown as PoolLike
const checkedOut = (app: TestApp): number => app.pg.pool.totalCount - app.pg.pool.idleCount

t.test('batches make the same list as one page, and the snapshot does not see writes made meanwhile', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, sampleTracks())
    const page = (await app.inject('/api/library/tracks?limit=500')).json()
    const chunks: string[] = []
    let wrote = false
    const written = await writeWholeList(poolOf(app), spec, {
      field: 'tracks',
      serialize: JSON.stringify,
      batchSize: 7,
      write: async (chunk) => {
        chunks.push(chunk)
        // A write between two batches: the list keeps its snapshot. On PGlite the one connection
        // is the list's, so the write waits until the list is done.
        if (v.backend === 'postgres' && !wrote) {
          wrote = true
          await app.pg.query('DELETE FROM tracks WHERE id = (SELECT id FROM tracks ORDER BY sort_key DESC LIMIT 1)')
        }
      }
    })
    t.equal(chunks.length, 2 + Math.ceil(46 / 7), 'a header, one chunk per batch and a footer')
    t.same(JSON.parse(chunks.join('')), { ...page, limit: -1 })
    t.equal(written.total, 46)
    t.equal(checkedOut(app), 0, 'the connection is back in the pool')
  })
})

t.test('an abandoned list stops reading at the next batch and frees its connection', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, sampleTracks())
    const abort = new AbortController()
    let batches = 0
    await t.rejects(writeWholeList(poolOf(app), spec, {
      field: 'tracks',
      serialize: JSON.stringify,
      batchSize: 5,
      signal: abort.signal,
      write: async (chunk) => {
        if (chunk.startsWith('{')) return
        batches++
        abort.abort()
      }
    }), WholeListAborted)
    t.equal(batches, 1, 'no batch read after the client went away')
    t.equal(checkedOut(app), 0)
    t.equal((await app.inject('/api/library/tracks?limit=-1')).json().total, 46, 'the database still answers')
  })
})

t.test('a failed write rolls back and the connection is reused', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, sampleTracks())
    await t.rejects(writeWholeList(poolOf(app), spec, {
      field: 'tracks',
      serialize: JSON.stringify,
      write: async () => { throw new Error('disk full') }
    }), /disk full/)
    t.equal(checkedOut(app), 0)
    // Inside a transaction now() is its start, earlier than the statement's own timestamp.
    const { rows } = await app.pg.query<{ alone: boolean }>('SELECT now() = statement_timestamp() AS alone')
    t.equal(rows[0].alone, true, 'no transaction left open on the connection')
  })
})

t.test('a connection killed in the middle of a list fails it; the next list works', { skip: await skipReason({ postgres: true }) }, async (t) => {
  const app = await build(t, { backend: 'postgres' })
  await seedLibrary(app.pg, sampleTracks())
  const admin = new pg.Client({ connectionString: PG_ADMIN_URL })
  await admin.connect()
  t.teardown(() => admin.end())
  const database = (await app.pg.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db
  let killed = false
  await t.rejects(writeWholeList(poolOf(app), spec, {
    field: 'tracks',
    serialize: JSON.stringify,
    batchSize: 5,
    write: async (chunk) => {
      if (killed || chunk.startsWith('{')) return
      killed = true
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database])
    }
  }))
  t.ok(killed)
  t.equal(checkedOut(app), 0, 'the broken connection is not kept checked out')
  const again = await app.inject('/api/library/tracks?limit=-1')
  t.equal(again.statusCode, 200)
  t.equal(again.json().tracks.length, 46)
})
