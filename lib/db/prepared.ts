import { createHash } from 'node:crypto'
import type { Queryable } from './queryable.js'

// Runs a query as a named prepared statement, so each connection plans each list query once
// instead of on every request (planning costs more than running these index-backed queries).
// The texts are built from fixed fragments only, so the set of names stays small.
const names = new Map<string, string>()

interface NamedQueryable {
  query: <R>(config: { name: string, text: string, values: unknown[] }) => Promise<{ rows: R[] }>
}

export async function prepared<R extends object> (db: Queryable, text: string, values: unknown[]): Promise<{ rows: R[] }> {
  let name = names.get(text)
  if (name === undefined) {
    name = `lib_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`
    if (names.size < 5000) names.set(text, name)
  }
  return (db as unknown as NamedQueryable).query<R>({ name, text, values })
}
