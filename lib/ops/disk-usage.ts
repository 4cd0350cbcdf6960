// Bytes held under a folder, walked without following links (a link into the media library
// would otherwise count the music as the server's own data).
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'

export async function diskUsage (dir: string): Promise<number> {
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    // Missing (a cache never used yet) or unreadable: it holds nothing we can count.
    return 0
  }
  let total = 0
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += await diskUsage(path)
    else if (entry.isFile()) total += await lstat(path).then((s) => s.size, () => 0)
  }
  return total
}

export interface FolderUsage {
  // Every byte under the folder.
  total: number
  // Bytes under each named folder directly inside it (0 for one not made yet).
  parts: Record<string, number>
}

// The folder and its named parts in one walk: the total is the parts plus the rest, so no file
// is read twice. A part that is a link (to a cache kept on another disk) is walked on its own,
// as diskUsage would, and stays out of the total, which follows no links.
export async function folderUsage (dir: string, partNames: readonly string[]): Promise<FolderUsage> {
  const parts: Record<string, number> = Object.fromEntries(partNames.map((name) => [name, 0]))
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return { total: 0, parts }
  }
  let total = 0
  for (const entry of entries) {
    const path = join(dir, entry.name)
    const isPart = partNames.includes(entry.name)
    if (entry.isDirectory()) {
      const size = await diskUsage(path)
      total += size
      if (isPart) parts[entry.name] = size
    } else if (entry.isFile()) {
      total += await lstat(path).then((s) => s.size, () => 0)
    } else if (isPart) {
      parts[entry.name] = await diskUsage(path)
    }
  }
  return { total, parts }
}

export interface SharedFolderUsage {
  read: () => Promise<FolderUsage>
  // Walks started so far.
  readonly walks: number
}

// How long a walk's answer is reused: ten times what the walk took, and never more than 10 s.
// A small folder is walked afresh for nearly every call; a large one (tens of thousands of
// covers take seconds) at most every 10 s, so walking takes a bounded share of the disk's time.
const reuseFor = (walkMs: number): number => Math.min(10_000, walkMs * 10)

// One walk at a time, shared by every caller that asks while it runs, and its answer reused
// for a while after (see reuseFor). A walk that fails is not kept.
export function sharedFolderUsage (
  dir: string,
  partNames: readonly string[],
  opts: { maxAgeMs?: (walkMs: number) => number } = {}
): SharedFolderUsage {
  const maxAge = opts.maxAgeMs ?? reuseFor
  let walks = 0
  let running: Promise<FolderUsage> | null = null
  let kept: { usage: FolderUsage, until: number } | null = null
  return {
    read: async (): Promise<FolderUsage> => {
      if (kept !== null && Date.now() < kept.until) return kept.usage
      if (running !== null) return await running
      walks++
      const started = Date.now()
      running = folderUsage(dir, partNames)
      try {
        const usage = await running
        const ended = Date.now()
        kept = { usage, until: ended + maxAge(ended - started) }
        return usage
      } finally {
        running = null
      }
    },
    get walks () { return walks }
  }
}
