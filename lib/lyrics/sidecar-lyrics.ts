// Lyrics in an .lrc file beside the audio file, with the same base name.
import { close, read, type Stats } from 'node:fs'
import { promisify } from 'node:util'
import { parseLrc } from './lrc.js'
import { structuredFromLrc, type StructuredLyrics } from './structured-lyrics.js'

// An .lrc file this large is not lyrics (a misnamed file); its first MiB would show as garbage.
export const SIDECAR_MAX_BYTES = 1024 * 1024

// Opens a library-relative path the way the path guard does: inside the media root after every
// link is resolved, a regular file only, never blocking on a FIFO; null when it is refused or
// absent. A sidecar is a name anyone with write access to the folder can point anywhere.
export type OpenGuarded = (relativePath: string) => Promise<{ fd: number, stats: Stats } | null>

const readAt = promisify(read)
const closeFd = promisify(close)

function sidecarPaths (audioRelativePath: string): string[] {
  const dot = audioRelativePath.lastIndexOf('.')
  const slash = audioRelativePath.lastIndexOf('/')
  const stem = dot > slash + 1 ? audioRelativePath.slice(0, dot) : audioRelativePath
  return [`${stem}.lrc`, `${stem}.LRC`]
}

// null: no such file (or one the guard refuses). An oversized or unreadable one reads as no lyrics.
async function readCapped (open: OpenGuarded, path: string): Promise<string | null> {
  const file = await open(path)
  if (file === null) return null
  try {
    const size = file.stats.size
    if (size > SIDECAR_MAX_BYTES) return ''
    // One byte past the size tells a file that grew since the stat.
    const buffer = Buffer.alloc(size + 1)
    const { bytesRead } = await readAt(file.fd, buffer, 0, buffer.length, 0)
    if (bytesRead > size) return ''
    // TextDecoder drops a UTF-8 BOM; invalid bytes become U+FFFD rather than failing.
    return new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead))
  } catch {
    return ''
  } finally {
    await closeFd(file.fd)
  }
}

// The first of Song.lrc and Song.LRC that exists; on a case-insensitive file system they are one.
export async function sidecarLyrics (audioRelativePath: string, open: OpenGuarded): Promise<StructuredLyrics[]> {
  for (const path of sidecarPaths(audioRelativePath)) {
    const text = await readCapped(open, path)
    if (text === null) continue
    const lyrics = structuredFromLrc(parseLrc(text))
    return lyrics.lines.length > 0 ? [lyrics] : []
  }
  return []
}
