// A whole list (limit=-1) written out in batches. Every statement runs in one read-only
// REPEATABLE READ transaction, so the total, the library version and every batch see the same
// snapshot: the body is exactly the page limit=total would give, and it is labelled with the
// version it was read at. A server-side cursor walks the list's own ORDER BY, so the order is the
// page's, NULLs and ties included, on PostgreSQL and PGlite alike.
import { FINGERPRINT } from '../db/list-cache.js'
import { orderBy } from '../db/sql-parts.js'
import { binder, type Hydrate, type PageQuery } from '../db/paged.js'
import type { Queryable } from '../db/queryable.js'

export const WHOLE_LIMIT = -1
const BATCH = 1000

export interface WholeListSpec<R, T> {
  // The page query of the list, without its limit.
  query: Omit<PageQuery, 'limit'>
  hydrate: Hydrate
  toItem: (row: R) => T
  // For the list of one album or artist: whether it exists, asked only when its list is empty.
  parentExists?: () => Promise<boolean>
}

export interface PoolLike {
  connect: () => Promise<Queryable & { release: (err?: Error | boolean) => void }>
}

export interface WriteOptions<T> {
  // The reply's list property: tracks, albums or artists.
  field: string
  serialize: (item: T) => string
  // Resolves when the chunk may be followed by the next (backpressure).
  write: (chunk: string) => Promise<void>
  // Aborted when nobody waits for the body any more: no further batch is read.
  signal?: AbortSignal
  batchSize?: number
}

export interface Written {
  version: string
  total: number
}

export class WholeListAborted extends Error {
  // Nobody reads the answer; 499 keeps it out of the error log.
  readonly statusCode = 499
  constructor () {
    super('whole list abandoned: its client went away')
    this.name = 'WholeListAborted'
  }
}

export async function writeWholeList<R, T> (pool: PoolLike, spec: WholeListSpec<R, T>, opts: WriteOptions<T>): Promise<Written> {
  const { query: q, hydrate } = spec
  const keys = q.columns.map((c, i) => `${c} AS k${i}`).join(', ')
  const listValues = [...q.values]
  const bind = binder(listValues)
  const listSql = `
    SELECT ${hydrate.columns}
    FROM (SELECT ${q.id} AS id, ${keys} FROM ${q.from} ${q.where}
          ORDER BY ${orderBy(q.columns, q.order)} OFFSET ${bind(q.offset)}) page
    JOIN ${hydrate.from(bind)} ON ${hydrate.id} = page.id
    ORDER BY ${orderBy(q.columns.map((_, i) => `page.k${i}`), q.order)}`
  const headSql = `SELECT ${FINGERPRINT} AS fp, (SELECT count(*)::int FROM ${q.from} ${q.where}) AS n`
  const batch = opts.batchSize ?? BATCH
  const checkSignal = (): void => { if (opts.signal?.aborted === true) throw new WholeListAborted() }

  checkSignal()
  const client = await pool.connect()
  let failure: Error | undefined
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const head = (await client.query<{ fp: string, n: number }>(headSql, q.values)).rows[0]
    await client.query(`DECLARE whole_list NO SCROLL CURSOR FOR ${listSql}`, listValues)
    await opts.write(`{${JSON.stringify(opts.field)}:[`)
    // The next batch is asked for before this one is turned into JSON, so on PostgreSQL the
    // database reads it on its own core meanwhile instead of waiting for this process.
    const fetchBatch = async (): Promise<Array<R & object>> => (await client.query<R & object>(`FETCH ${batch} FROM whole_list`)).rows
    let next: Promise<Array<R & object>> | undefined = fetchBatch()
    let first = true
    try {
      while (next !== undefined) {
        checkSignal()
        const rows: Array<R & object> = await next
        next = rows.length === batch ? fetchBatch() : undefined
        // A FETCH in flight when this fails is awaited below, before the rollback.
        next?.catch(() => {})
        if (rows.length === 0) break
        checkSignal()
        let chunk = first ? '' : ','
        chunk += rows.map((row) => opts.serialize(spec.toItem(row))).join(',')
        first = false
        await opts.write(chunk)
      }
    } finally {
      if (next !== undefined) await next.catch(() => {})
    }
    await client.query('COMMIT')
    await opts.write(`],"total":${head.n},"limit":${WHOLE_LIMIT},"offset":${q.offset}}`)
    return { version: head.fp, total: head.n }
  } catch (err) {
    failure = err as Error
    throw err
  } finally {
    if (failure !== undefined) {
      // Rolled back, the connection is as good as new; one that cannot even roll back (killed,
      // network gone) is discarded so the pool does not hand it out again.
      const rolledBack = await client.query('ROLLBACK').then(() => true, () => false)
      client.release(rolledBack ? undefined : failure)
    } else {
      client.release()
    }
  }
}
