import type { TestApp } from '../../helper.js'

export type Key = string | number | null

// asc: nulls last (PostgreSQL's default); desc: the exact reverse. Keys are ASCII after
// folding, so code-unit order equals the byte order of the C collation.
export function compareKeys (a: Key[], b: Key[], order: 'asc' | 'desc'): number {
  const sign = order === 'asc' ? 1 : -1
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    if (x === y) continue
    if (x === null) return sign
    if (y === null) return -sign
    return (x < y ? -1 : 1) * sign
  }
  return 0
}

// Walks a list page by page, asserting nothing about it, and returns every item in order.
export async function fetchAll (app: TestApp, url: string, field: string, pageSize: number): Promise<any[]> {
  const items: any[] = []
  for (let offset = 0; ; offset += pageSize) {
    const sep = url.includes('?') ? '&' : '?'
    const res = await app.inject(`${url}${sep}limit=${pageSize}&offset=${offset}`)
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`)
    const body = res.json()
    items.push(...body[field])
    if (body[field].length < pageSize) return items
  }
}
