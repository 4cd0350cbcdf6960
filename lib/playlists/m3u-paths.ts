// Where a line of a playlist file points, as library-relative paths to look up among the tracks.
//
// A line is a path relative to the playlist's own folder, an absolute path, or a file:// URL
// (percent-encoded). Absolute paths count only inside the media folder; Windows drive and UNC
// paths never are, on the server this runs on. Playlists written on Windows separate folders with
// backslashes, which on Linux are legal in file names: both readings are tried, the literal one
// first. Surrounding spaces are tried as written, then trimmed.
import { posix } from 'node:path'

export type LineTarget =
  | { kind: 'library', candidates: string[] }
  | { kind: 'unresolvable', reason: string }

const WINDOWS_DRIVE = /^[A-Za-z]:[\\/]/
const UNC = /^(\\\\|\/\/)[^\\/]/
const URL_SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//

// A library-relative path that lineTarget would read as something else (a comment, a Windows
// drive, a URL) or whose leading spaces a reader would trim: written as ./path, it reads back.
export function needsDotSlash (path: string): boolean {
  return /^(#|\s)/.test(path) || WINDOWS_DRIVE.test(path) || UNC.test(path) || URL_SCHEME.test(path)
}

function fromFileUrl (text: string): string | { reason: string } {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return { reason: 'a malformed URL' }
  }
  if (url.protocol !== 'file:') return { reason: `a ${url.protocol.slice(0, -1)} URL, not a file` }
  if (url.hostname !== '' && url.hostname !== 'localhost') return { reason: 'a file on another host' }
  try {
    return decodeURIComponent(url.pathname)
  } catch {
    return { reason: 'a malformed URL' }
  }
}

function insideRoot (absolute: string, roots: string[]): string | null {
  const normal = posix.normalize(absolute)
  for (const root of roots) {
    const prefix = root.endsWith('/') ? root : `${root}/`
    if (normal.startsWith(prefix) && normal.length > prefix.length) return normal.slice(prefix.length)
  }
  return null
}

function relativeInside (playlistDir: string, relative: string): string | null {
  const joined = posix.normalize(posix.join(playlistDir === '' ? '.' : playlistDir, relative))
  if (joined === '..' || joined.startsWith('../') || joined === '.' || joined.startsWith('/')) return null
  return joined
}

// `playlistDir` is the playlist file's library-relative folder ('' at the top); `roots` are the
// absolute forms of the media folder (as configured and as resolved) that absolute lines may use.
export function lineTarget (line: string, playlistDir: string, roots: string[]): LineTarget {
  const trimmed = line.trim()
  let texts = [...new Set([line, trimmed])].filter((t) => t !== '')
  if (URL_SCHEME.test(trimmed) && !WINDOWS_DRIVE.test(trimmed)) {
    const path = fromFileUrl(trimmed)
    if (typeof path !== 'string') return { kind: 'unresolvable', reason: path.reason }
    // file:///C:/Music/a.mp3
    if (/^\/[A-Za-z]:\//.test(path)) return { kind: 'unresolvable', reason: 'a Windows path, outside the media folder' }
    texts = [path]
  }
  if (WINDOWS_DRIVE.test(trimmed) || UNC.test(trimmed)) {
    return { kind: 'unresolvable', reason: 'a Windows path, outside the media folder' }
  }
  const variants = [...new Set(texts.flatMap((t) => t.includes('\\') ? [t, t.replace(/\\/g, '/')] : [t]))]
  const candidates: string[] = []
  for (const text of variants) {
    const found = text.startsWith('/') ? insideRoot(text, roots) : relativeInside(playlistDir, text)
    if (found !== null && !candidates.includes(found)) candidates.push(found)
  }
  if (candidates.length === 0) return { kind: 'unresolvable', reason: 'outside the media folder' }
  return { kind: 'library', candidates }
}
