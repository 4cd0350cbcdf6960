// Lyrics in an .lrc file beside the audio file, with the same base name.
import { open } from 'node:fs/promises'
import { basename, dirname, extname, join } from 'node:path'
import { parseLrc } from './lrc.js'
import { structuredFromLrc, type StructuredLyrics } from './structured-lyrics.js'

// An .lrc file this large is not lyrics (a misnamed file); its first MiB would show as garbage.
export const SIDECAR_MAX_BYTES = 1024 * 1024

function sidecarPaths (audioPath: string): string[] {
  const stem = join(dirname(audioPath), basename(audioPath, extname(audioPath)))
  return [`${stem}.lrc`, `${stem}.LRC`]
}

// null: no such file. Other failures (a folder by that name, permissions) read as no lyrics.
async function readCapped (path: string): Promise<string | null> {
  let file
  try {
    file = await open(path, 'r')
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : ''
  }
  try {
    const { size } = await file.stat()
    if (size > SIDECAR_MAX_BYTES) return ''
    // One byte past the size tells a file that grew since the stat.
    const buffer = Buffer.alloc(size + 1)
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0)
    if (bytesRead > size) return ''
    // TextDecoder drops a UTF-8 BOM; invalid bytes become U+FFFD rather than failing.
    return new TextDecoder('utf-8').decode(buffer.subarray(0, bytesRead))
  } catch {
    return ''
  } finally {
    await file.close()
  }
}

// The first of Song.lrc and Song.LRC that exists; on a case-insensitive file system they are one.
export async function sidecarLyrics (audioPath: string): Promise<StructuredLyrics[]> {
  for (const path of sidecarPaths(audioPath)) {
    const text = await readCapped(path)
    if (text === null) continue
    const lyrics = structuredFromLrc(parseLrc(text))
    return lyrics.lines.length > 0 ? [lyrics] : []
  }
  return []
}
