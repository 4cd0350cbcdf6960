// Serialised library responses (list pages, search results, alphabet indexes), kept under the
// library version they were computed at and dropped as soon as the version moves.
//
// A page of 50 tracks is ~55 KB of JSON: building it (rows, mapping, serialising) costs the
// service and the database more than everything else a request does. Players re-read the same
// first pages and the same searches all the time, and the library changes only when a scan,
// a play or a favourite writes to it (sql/003 and sql/011 make every such write move the version).
//
// The version must be read BEFORE the response is computed: the stored body is then at least as
// new as its label. A version read after could label an older body with a newer version.
import { createHash } from 'node:crypto'

export interface CachedResponse {
  body: string
  etag: string
}

export class ResponseCache {
  private version = ''
  private bytes = 0
  // Map iteration order is insertion order: re-inserting on a hit makes the first key the
  // least recently used.
  private readonly entries = new Map<string, CachedResponse>()
  // Lookups answered from the cache and not, since start-up (for /metrics).
  hits = 0
  misses = 0

  constructor (readonly maxBytes: number) {}

  get enabled (): boolean {
    return this.maxBytes > 0
  }

  get size (): number {
    return this.entries.size
  }

  get storedBytes (): number {
    return this.bytes
  }

  get (version: string, key: string): CachedResponse | undefined {
    this.adopt(version)
    const hit = this.entries.get(key)
    if (hit === undefined) {
      this.misses++
      return undefined
    }
    this.hits++
    this.entries.delete(key)
    this.entries.set(key, hit)
    return hit
  }

  // Stores a body computed at `version`; a body from a version already superseded is not kept.
  set (version: string, key: string, body: string): CachedResponse {
    const entry = { body, etag: etagOf(body) }
    if (version !== this.version || body.length > this.maxBytes / 8) return entry
    this.remove(key)
    this.entries.set(key, entry)
    this.bytes += body.length
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= old.body.length
    }
    return entry
  }

  private remove (key: string): void {
    const old = this.entries.get(key)
    if (old === undefined) return
    this.entries.delete(key)
    this.bytes -= old.body.length
  }

  private adopt (version: string): void {
    if (version === this.version) return
    this.version = version
    this.entries.clear()
    this.bytes = 0
  }
}

// Tracks show their caller's own favourites and plays (sql/011), so one URL is a different body
// for each caller: bodies are kept per (caller, URL). The caller is set by auth before any
// library route runs (they are never public), so `viewer` is someone's id there.
export function responseKey (viewer: string | null, url: string): string {
  return `${viewer ?? ''}\u0000${url}`
}

export function etagOf (body: string): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`
}
