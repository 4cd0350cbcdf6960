// All lyrics for one audio file, for the OpenSubsonic songLyrics extension.
import { embeddedLyrics } from './embedded-lyrics.js'
import { sidecarLyrics, type OpenGuarded } from './sidecar-lyrics.js'
import type { StructuredLyrics } from './structured-lyrics.js'

// The language and display names are labels; the same lines with the same timing are the same
// lyrics, however each source labels them.
function sameLyricsKey (lyrics: StructuredLyrics): string {
  return JSON.stringify([lyrics.synced, lyrics.offsetMs, lyrics.lines])
}

// Embedded lyrics first, then the sidecar .lrc; a copy of lyrics already listed is left out.
// audio.path opens the file the path guard checked (its descriptor's /dev/fd name), and
// relativePath its library-relative path, from which the sidecar is found and opened through
// `open` (the guard). Rejects with Node's system error only when the audio file itself cannot
// be opened (ENOENT, EACCES, EISDIR); a file without lyrics, with unparseable content, or with
// a missing, refused, unreadable or oversized sidecar gives [].
export async function readLyrics (audio: { path: string, relativePath: string }, open: OpenGuarded): Promise<StructuredLyrics[]> {
  const [embedded, sidecar] = await Promise.all([embeddedLyrics(audio.path), sidecarLyrics(audio.relativePath, open)])
  const seen = new Set<string>()
  return [...embedded, ...sidecar].filter((lyrics) => {
    const key = sameLyricsKey(lyrics)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}
