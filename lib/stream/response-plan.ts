// Decides, from the request's conditional and Range headers and the file's current stat, what
// a stream response is: 412, 304, 200 (whole file), 206 (one range) or 416. Grammar and comparison
// rules come from range-parser, fresh and etag; this file only orders them per RFC 9110.
import type { Stats } from 'node:fs'
import etag from 'etag'
import fresh from 'fresh'
import rangeParser from 'range-parser'

// The open file's fs.Stats (etag derives its validator from size and mtime).
export interface FileFacts {
  stats: Stats
  contentType: string
}

// Request headers as Node gives them (lower-case names).
export type RequestFacts = Record<string, string | string[] | undefined>

function single (value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value
}

export type Headers = Record<string, string>

export type ResponsePlan =
  | { status: 304, headers: Headers }
  | { status: 412, headers: Headers }
  | { status: 416, headers: Headers }
  | { status: 200 | 206, headers: Headers, start: number, end: number, length: number }

// Revalidation is a cheap 304, and files change under a stable id when tags are edited, so
// clients should always ask rather than keep a stale copy.
export const CACHE_CONTROL = 'private, no-cache'

// Strong, like nginx's size-mtime ETag, so If-Range (which needs a strong match) works.
export function entityTag (stats: Stats): string {
  return etag(stats, { weak: false })
}

// If-Range is an entity tag or an HTTP date; a weak tag never matches (strong comparison).
function ifRangeMatches (ifRange: string, tag: string, lastModified: string): boolean {
  const value = ifRange.trim()
  if (value.startsWith('"') || value.startsWith('W/')) return value === tag
  const date = Date.parse(value)
  return !Number.isNaN(date) && date === Date.parse(lastModified)
}

// RFC 9110 §13.2.2: If-Match (strong comparison, or `*` for any current file), or else
// If-Unmodified-Since. A download manager resuming a file sends these so that a file changed
// since its first part was fetched fails with 412 instead of splicing two versions together.
function preconditionFails (req: RequestFacts, tag: string, mtime: Date): boolean {
  const ifMatch = single(req['if-match'])
  if (ifMatch !== undefined) {
    const tags = ifMatch.split(',').map((value) => value.trim())
    return !tags.includes('*') && !tags.includes(tag)
  }
  const ifUnmodifiedSince = Date.parse(single(req['if-unmodified-since']) ?? '')
  // HTTP dates have whole seconds.
  return !Number.isNaN(ifUnmodifiedSince) && Math.floor(mtime.getTime() / 1000) * 1000 > ifUnmodifiedSince
}

// RFC 9110 §14.1: range units are case-insensitive (`BYTES=0-5` is a bytes range), but
// range-parser compares the unit as written.
function rangeUnitLowerCased (range: string | undefined): string | undefined {
  if (range === undefined) return undefined
  const equals = range.indexOf('=')
  return equals < 0 ? range : range.slice(0, equals).toLowerCase() + range.slice(equals)
}

export function planResponse (req: RequestFacts, file: FileFacts): ResponsePlan {
  const { size, mtime } = file.stats
  const tag = entityTag(file.stats)
  const lastModified = mtime.toUTCString()
  const headers: Headers = {
    'accept-ranges': 'bytes',
    'content-type': file.contentType,
    etag: tag,
    'last-modified': lastModified,
    'cache-control': CACHE_CONTROL
  }

  if (preconditionFails(req, tag, mtime)) return { status: 412, headers }

  // Only the validators go to fresh(): it treats a request's `Cache-Control: no-cache` as a reload,
  // but fetch() adds that to every request with If-None-Match, and as the origin server we
  // answer conditionals whatever the request says to caches in between.
  const conditional = { 'if-none-match': single(req['if-none-match']), 'if-modified-since': single(req['if-modified-since']) }
  if (fresh(conditional, { etag: tag, 'last-modified': lastModified })) return { status: 304, headers }

  const whole = (): ResponsePlan => {
    headers['content-length'] = String(size)
    return { status: 200, headers, start: 0, end: size - 1, length: size }
  }

  const range = rangeUnitLowerCased(single(req.range))
  if (range === undefined || range === '') return whole()
  const ifRange = single(req['if-range'])
  if (ifRange !== undefined && !ifRangeMatches(ifRange, tag, lastModified)) return whole()

  // RFC 9110 §14.1.2: a suffix longer than the file selects the whole file. range-parser calls
  // that unsatisfiable, so the suffix is capped at the size before parsing.
  const suffix = /^bytes=\s*-(\d+)\s*$/.exec(range)
  const normalised = suffix !== null && size > 0 && Number(suffix[1]) > size ? `bytes=-${size}` : range
  const parsed = rangeParser(size, normalised, { combine: true })
  // -2: malformed, ignored as RFC 9110 allows. Other units and several ranges: whole body,
  // which every client must accept; multipart/byteranges is not worth it for audio players.
  if (parsed === -2) return whole()
  if (parsed === -1) {
    // Only a bytes range can be unsatisfiable; anything else is ignored.
    if (!range.startsWith('bytes=')) return whole()
    headers['content-range'] = `bytes */${size}`
    return { status: 416, headers }
  }
  if (parsed.type !== 'bytes' || parsed.length !== 1) return whole()
  const { start, end } = parsed[0]
  headers['content-range'] = `bytes ${start}-${end}/${size}`
  headers['content-length'] = String(end - start + 1)
  return { status: 206, headers, start, end, length: end - start + 1 }
}
