// One page of a list and the size of the whole list. A shallow page is one statement: the
// page's ids walk the list's index, its rows are joined in, and the library version rides
// along for the cache. A deep page reads its ids from the ListCache's positions (offset
// 90,000 then costs about what offset 0 does) and loads those rows by id.
import type { Queryable } from './queryable.js'
import { FINGERPRINT, type ListCache } from './list-cache.js'
import { orderBy } from './sql-parts.js'
import type { SortOrder } from '../../schemas/common.js'
import { prepared } from './prepared.js'

export interface PageQuery {
  from: string
  where: string
  // Bind values of `where` ($1..$n).
  values: unknown[]
  columns: readonly string[]
  id: string
  order: SortOrder
  limit: number
  offset: number
}

// Binds a value for the statement being built and returns its placeholder ($n).
export type BindParam = (value: unknown) => string

// How to turn ids into full rows: `SELECT ${columns} FROM ${from(bind)} ...`, `id` naming the
// key. `from` gets the statement's own placeholder numbering, so a value it needs (whose state a
// track shows) stays a bind parameter wherever the statement puts it, and the text, which
// names each prepared statement, stays the same for every value.
export interface Hydrate {
  columns: string
  from: (bind: BindParam) => string
  id: string
}

// A binder that numbers placeholders after `values`, adding to it.
export function binder (values: unknown[]): BindParam {
  return (value) => {
    values.push(value)
    return `$${values.length}`
  }
}

// One page of a list, and how many items the whole list has.
export interface Paged<T> {
  rows: T[]
  total: number
}

// The limit is written into the statement (a page size from a small range the schema allows),
// and so is a zero offset. With placeholders there, the plan PostgreSQL would keep for the
// statement has to assume a tenth of the list is read (a hash join of every track, or a JIT
// compilation for each run), so it plans each run afresh instead, which cost about as much
// database time as running the page itself. The first page, the one nearly every list starts
// from, is then planned once per connection; deeper pages keep the placeholder for their offset
// so the number of statements stays small.
function pageWindow (q: PageQuery, bind: BindParam): string {
  const limit = Number.isSafeInteger(q.limit) && q.limit >= 0 ? String(q.limit) : bind(q.limit)
  return q.offset === 0 ? `LIMIT ${limit}` : `LIMIT ${limit} OFFSET ${bind(q.offset)}`
}

export async function listPage<R extends { id: string }> (db: Queryable, cache: ListCache, q: PageQuery, hydrate: Hydrate): Promise<Paged<R>> {
  const keys = q.columns.map((c, i) => `${c} AS k${i}`).join(', ')
  const pageOrder = orderBy(q.columns.map((_, i) => `page.k${i}`), q.order)
  const pageValues = [...q.values]
  const bind = binder(pageValues)
  const pageSql = `
    SELECT ${hydrate.columns}, ${FINGERPRINT} AS fp
    FROM (SELECT ${q.id} AS id, ${keys} FROM ${q.from} ${q.where}
          ORDER BY ${orderBy(q.columns, q.order)} ${pageWindow(q, bind)}) page
    JOIN ${hydrate.from(bind)} ON ${hydrate.id} = page.id
    ORDER BY ${pageOrder}`
  const countSql = `SELECT count(*)::int AS n FROM ${q.from} ${q.where}`
  // The list is identified by its text and filter values.
  const key = `${q.from}\u0000${q.where}\u0000${JSON.stringify(q.values)}`

  if (q.offset < cache.deepOffset) {
    const { rows } = await prepared<R & { fp: string }>(db, pageSql, pageValues)
    const version = rows.length > 0 ? cache.adoptVersion(rows[0].fp) : await cache.fingerprint(db)
    const total = await cache.total(db, version, key, countSql, q.values)
    // Each row keeps its fp: the callers read the columns they know, and copying 50 rows of 40
    // columns to drop one cost more than the rest of this function.
    return { rows, total }
  }

  const version = await cache.fingerprint(db)
  const listSql = `SELECT ${q.id} AS id, row_number() OVER (ORDER BY ${orderBy(q.columns, 'asc')}) AS rn FROM ${q.from} ${q.where}`
  const { ids } = await cache.ids(db, version, `${key}\u0000${q.columns.join(',')}`, listSql, q.values)
  const total = ids.length
  const pageIds = q.order === 'asc'
    ? ids.slice(q.offset, q.offset + q.limit)
    : ids.slice(Math.max(0, total - q.offset - q.limit), Math.max(0, total - q.offset)).reverse()
  return { rows: await rowsByIds<R>(db, hydrate, pageIds), total }
}

export async function rowsByIds<R extends { id: string }> (db: Queryable, hydrate: Hydrate, ids: string[]): Promise<R[]> {
  if (ids.length === 0) return []
  const values: unknown[] = [ids]
  const { rows } = await prepared<R>(db, `SELECT ${hydrate.columns} FROM ${hydrate.from(binder(values))} WHERE ${hydrate.id} = ANY($1::uuid[])`, values)
  // Rows loaded by id come back in any order: put them in the page's.
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id)).filter((r): r is R => r !== undefined)
}
