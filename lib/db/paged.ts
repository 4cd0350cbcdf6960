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

// How to turn ids into full rows: `SELECT ${columns} FROM ${from} ...`, `id` naming the key.
export interface Hydrate {
  columns: string
  from: string
  id: string
}

// One page of a list, and how many items the whole list has.
export interface Paged<T> {
  rows: T[]
  total: number
}

export async function listPage<R extends { id: string }> (db: Queryable, cache: ListCache, q: PageQuery, hydrate: Hydrate): Promise<Paged<R>> {
  const n = q.values.length
  const keys = q.columns.map((c, i) => `${c} AS k${i}`).join(', ')
  const pageOrder = orderBy(q.columns.map((_, i) => `page.k${i}`), q.order)
  const pageSql = `
    SELECT ${hydrate.columns}, ${FINGERPRINT} AS fp
    FROM (SELECT ${q.id} AS id, ${keys} FROM ${q.from} ${q.where}
          ORDER BY ${orderBy(q.columns, q.order)} LIMIT $${n + 1} OFFSET $${n + 2}) page
    JOIN ${hydrate.from} ON ${hydrate.id} = page.id
    ORDER BY ${pageOrder}`
  const countSql = `SELECT count(*)::int AS n FROM ${q.from} ${q.where}`
  // The list is identified by its text and filter values.
  const key = `${q.from}\u0000${q.where}\u0000${JSON.stringify(q.values)}`

  if (q.offset < cache.deepOffset) {
    const { rows } = await prepared<R & { fp: string }>(db, pageSql, [...q.values, q.limit, q.offset])
    const version = rows.length > 0 ? cache.adoptVersion(rows[0].fp) : await cache.fingerprint(db)
    const total = await cache.total(db, version, key, countSql, q.values)
    return { rows: rows.map(({ fp, ...row }) => row as unknown as R), total }
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
  const { rows } = await prepared<R>(db, `SELECT ${hydrate.columns} FROM ${hydrate.from} WHERE ${hydrate.id} = ANY($1::uuid[])`, [ids])
  // Rows loaded by id come back in any order: put them in the page's.
  const byId = new Map(rows.map((r) => [r.id, r]))
  return ids.map((id) => byId.get(id)).filter((r): r is R => r !== undefined)
}
