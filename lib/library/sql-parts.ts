// Small builders the library repositories share. Every value reaches SQL as a bind parameter;
// only fixed column lists chosen from constant maps are spliced into the text.
import { createHash } from 'node:crypto'
import { fold } from '../text-fold.js'
import type { Queryable } from './track-row.js'

export class Params {
  readonly values: unknown[] = []

  add (value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

export type Direction = 'asc' | 'desc'

// Every column in the same direction, so one btree serves both orders (a backward scan for
// desc) and desc is the exact reverse of asc, NULLs included.
export function orderBy (columns: readonly string[], direction: Direction): string {
  const dir = direction === 'desc' ? 'DESC' : 'ASC'
  return columns.map((c) => `${c} ${dir}`).join(', ')
}

export function escapeLike (value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`)
}

export function foldedWords (text: string): string[] {
  return fold(text).split(' ').filter((w) => w.length > 0)
}

// "every word appears somewhere in column": each LIKE is served by the column's trigram index.
export function containsEveryWord (column: string, text: string, params: Params): string[] {
  return foldedWords(text).map((word) => `${column} LIKE ${params.add(`%${escapeLike(word)}%`)}`)
}

export function whereClause (conditions: string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`
}

export interface Page {
  limit: number
  offset: number
}

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
