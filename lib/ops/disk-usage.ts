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
