// Reading and writing M3U playlists (plain and extended; .m3u and .m3u8).
//
// Reading: UTF-8 with or without a byte order mark, UTF-16 with one, and anything that is not
// valid UTF-8 as Windows-1252 (what old .m3u writers used). Line ends CRLF, LF or CR. Blank lines
// and comments (#EXTM3U, #EXTINF and every other '#' line) carry no entry; #PLAYLIST names the
// playlist. Writing: UTF-8 without a byte order mark, LF line ends.

import { TextDecoder } from 'node:util'
import { needsDotSlash } from './m3u-paths.js'

const PLAYLIST_EXTENSIONS = /\.m3u8?$/i

export function isPlaylistPath (path: string): boolean {
  return PLAYLIST_EXTENSIONS.test(path)
}

export interface M3uEntryLine {
  // 1-based line number in the file, for messages.
  line: number
  text: string
}

export interface ParsedM3u {
  // From #PLAYLIST:, when the file has one.
  title: string | null
  entries: M3uEntryLine[]
}

function decoder (label: string, fatal: boolean): TextDecoder | null {
  try {
    return new TextDecoder(label, { fatal })
  } catch {
    return null
  }
}

export function decodePlaylistText (bytes: Uint8Array): string {
  // TextDecoder drops the byte order mark of its own encoding.
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return (decoder('utf-16le', false) as TextDecoder).decode(bytes)
  if (bytes[0] === 0xfe && bytes[1] === 0xff) {
    const be = decoder('utf-16be', false)
    if (be !== null) return be.decode(bytes)
  }
  try {
    return (decoder('utf-8', true) as TextDecoder).decode(bytes)
  } catch {
    return decodeWindows1252(bytes)
  }
}

// Windows-1252 is ISO-8859-1 except 0x80-0x9f, which hold printable characters (€, quotes,
// dashes, Œ...) where ISO-8859-1 has control codes. Node 20's TextDecoder reads it as ISO-8859-1.
const CP1252_80_9F = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ'

function decodeWindows1252 (bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').replace(/[\u0080-\u009f]/g, (c) => CP1252_80_9F[c.charCodeAt(0) - 0x80])
}

export function parseM3u (text: string): ParsedM3u {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)
  let title: string | null = null
  const entries: M3uEntryLine[] = []
  lines.forEach((raw, i) => {
    const trimmed = raw.trim()
    if (trimmed === '') return
    if (trimmed.startsWith('#')) {
      const match = /^#PLAYLIST:(.*)$/i.exec(trimmed)
      if (match !== null && match[1].trim() !== '') title = match[1].trim()
      return
    }
    entries.push({ line: i + 1, text: raw })
  })
  return { title, entries }
}

export interface M3uItem {
  // Library-relative, forward slashes.
  path: string
  title: string
  artist: string
  duration: number | null
}

// Tag values become one line: a CR or LF in a title must not start a line of its own.
function oneLine (value: string): string {
  // eslint-disable-next-line no-control-regex
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()
}

// Paths are written relative to the media folder, so the file imports back from its top level.
// A path that M3U cannot carry (a line break in a file name) is left out; one that would read as
// something else (a comment, a Windows drive, a URL) or lose its leading spaces is written as
// ./path. A duration of 0 is one the scan could not learn: -1, M3U's unknown.
export function formatM3u (name: string, items: M3uItem[]): string {
  const out = ['#EXTM3U', `#PLAYLIST:${oneLine(name)}`]
  for (const item of items) {
    if (/[\r\n]/.test(item.path)) continue
    const seconds = item.duration === null || !Number.isFinite(item.duration) || item.duration <= 0 ? -1 : Math.round(item.duration)
    const label = [oneLine(item.artist), oneLine(item.title)].filter((s) => s !== '').join(' - ')
    out.push(`#EXTINF:${seconds},${label}`)
    out.push(needsDotSlash(item.path) ? `./${item.path}` : item.path)
  }
  return `${out.join('\n')}\n`
}
