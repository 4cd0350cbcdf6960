// Small builders the library repositories share. Every value reaches SQL as a bind parameter;
// only fixed column lists chosen from constant maps are spliced into the text.
import { fold } from '../text-fold.js'
import type { SortOrder } from '../../schemas/common.js'

export class Params {
  readonly values: unknown[] = []

  add (value: unknown): string {
    this.values.push(value)
    return `$${this.values.length}`
  }
}

// Every column in the same direction, so one btree serves both orders (a backward scan for
// desc) and desc is the exact reverse of asc, NULLs included.
export function orderBy (columns: readonly string[], direction: SortOrder): string {
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

// Which slice of a list a page is.
export interface PageWindow {
  limit: number
  offset: number
}
