// Compares heap snapshots of one process taken over time (bench/soak.ts SOAK_HEAP_SNAPSHOTS):
// per constructor, how many objects and bytes each snapshot holds, and which objects created
// after the first snapshot are still alive in the last one (the three-snapshot technique: V8
// keeps an object's id across snapshots of the same process). A leak shows as a constructor whose
// survivors grow from one snapshot to the next.
//   node --max-old-space-size=8192 --import tsx bench/heap-diff.ts a.heapsnapshot b.heapsnapshot [c.heapsnapshot ...]
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'

interface Snapshot {
  snapshot: { meta: { node_fields: string[], node_types: [string[], ...unknown[]] } }
  nodes: number[]
  strings: string[]
}

interface Node { key: string, id: number, size: number }

async function load (path: string): Promise<Node[]> {
  const snap = JSON.parse(await readFile(path, 'utf8')) as Snapshot
  const fields = snap.snapshot.meta.node_fields
  const types = snap.snapshot.meta.node_types[0]
  const [typeAt, nameAt, idAt, sizeAt] = ['type', 'name', 'id', 'self_size'].map((f) => fields.indexOf(f))
  const out: Node[] = []
  for (let i = 0; i < snap.nodes.length; i += fields.length) {
    const type = types[snap.nodes[i + typeAt]]
    const name = snap.strings[snap.nodes[i + nameAt]]
    // Strings and code are grouped by type, objects by constructor name.
    const key = type === 'object' || type === 'closure' || type === 'native' ? `${type} ${name}` : `(${type})`
    out.push({ key, id: snap.nodes[i + idAt], size: snap.nodes[i + sizeAt] })
  }
  return out
}

interface Tally { count: number, bytes: number }

function tally (nodes: Iterable<Node>): Map<string, Tally> {
  const by = new Map<string, Tally>()
  for (const n of nodes) {
    const t = by.get(n.key) ?? { count: 0, bytes: 0 }
    t.count++
    t.bytes += n.size
    by.set(n.key, t)
  }
  return by
}

const kb = (bytes: number): string => (bytes / 1024).toFixed(0)

const paths = process.argv.slice(2)
if (paths.length < 2) {
  console.error('usage: heap-diff.ts first.heapsnapshot second.heapsnapshot [more.heapsnapshot ...]')
  process.exit(2)
}
const snaps: Node[][] = []
for (const p of paths) snaps.push(await load(p))
const names = paths.map((p) => basename(p).replace(/\.heapsnapshot$/, ''))
const totals = snaps.map((s) => s.reduce((sum, n) => sum + n.size, 0))
console.log(`| snapshot | objects | self size MB |\n| --- | --- | --- |\n${names.map((n, i) => `| ${n} | ${snaps[i].length} | ${(totals[i] / 1048576).toFixed(1)} |`).join('\n')}\n`)

// Objects allocated after the first snapshot and alive in snapshot k, for each later k.
const firstIds = new Set(snaps[0].map((n) => n.id))
const survivors = snaps.slice(1).map((s) => tally(s.filter((n) => !firstIds.has(n.id))))
const all = snaps.map(tally)
const last = all.length - 1
const keys = [...new Set(snaps.flatMap((s) => s.map((n) => n.key)))]
const growth = (k: string): number => (all[last].get(k)?.bytes ?? 0) - (all[0].get(k)?.bytes ?? 0)
keys.sort((a, b) => growth(b) - growth(a))
console.log(`Top 25 by growth of retained bytes from ${names[0]} to ${names[last]}; "new" = allocated after ${names[0]} and still alive.`)
console.log(`| constructor | ${names.map((n) => `${n} count / KB`).join(' | ')} | ${names.slice(1).map((n) => `new in ${n} count / KB`).join(' | ')} |`)
console.log(`| --- | ${names.map(() => '---').join(' | ')} | ${names.slice(1).map(() => '---').join(' | ')} |`)
for (const k of keys.slice(0, 25)) {
  const cells = all.map((m) => { const t = m.get(k); return t === undefined ? '0' : `${t.count} / ${kb(t.bytes)}` })
  const fresh = survivors.map((m) => { const t = m.get(k); return t === undefined ? '0' : `${t.count} / ${kb(t.bytes)}` })
  console.log(`| ${k.slice(0, 60).replace(/\|/g, '\\|')} | ${cells.join(' | ')} | ${fresh.join(' | ')} |`)
}
