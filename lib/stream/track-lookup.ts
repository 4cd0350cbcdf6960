// Finds the library-relative file of the track a stream URL names (an id or an exact path).
// Only the path, the indexed size and what a transcode needs are read: this is the hot path.
import type { Queryable } from '../db/queryable.js'
import { shortCodec } from '../library/audio-format.js'

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

export interface StreamTarget {
  id: string
  filePath: string
  // As last indexed; the file's current size is what gets served.
  fileSize: number
  // What a transcode decision and its headers need (lib/transcode); null when unknown.
  codec: string | null
  // Bits per second.
  bitrate: number | null
  channels: number | null
  // Seconds.
  duration: number | null
}

interface TargetRow {
  id: string
  file_path: string
  file_size: string
  container: string | null
  codec: string | null
  bitrate: number | null
  channels: number | null
  duration: number | null
}

const COLUMNS = 'id, file_path, file_size, container, codec, bitrate, channels, duration'

function toTarget (row: TargetRow): StreamTarget {
  return {
    id: row.id,
    filePath: row.file_path,
    fileSize: Number(row.file_size),
    codec: shortCodec(row.container, row.codec),
    bitrate: row.bitrate,
    channels: row.channels,
    duration: row.duration === null ? null : Number(row.duration)
  }
}

// Paths arrive in whatever Unicode normal form the client's system uses (macOS sends NFD, most
// others NFC) and are stored in the form the file system gave the scanner, so the URL's form,
// NFC and NFD are all tried; an exact match wins if two files differ only in normalisation.
function pathForms (key: string): string[] {
  return [...new Set([key, key.normalize('NFC'), key.normalize('NFD')])]
}

export async function findStreamTarget (db: Queryable, key: string): Promise<StreamTarget | null> {
  // PostgreSQL rejects NUL in text; such a key can never name an indexed track.
  if (key.length === 0 || key.includes('\0')) return null
  if (UUID.test(key)) {
    const { rows } = await db.query<TargetRow>(`SELECT ${COLUMNS} FROM tracks WHERE id = $1`, [key.toLowerCase()])
    if (rows.length > 0) return toTarget(rows[0])
  }
  const { rows } = await db.query<TargetRow>(
    `SELECT ${COLUMNS} FROM tracks WHERE file_path = ANY($1::text[]) ORDER BY file_path = $2 DESC LIMIT 1`,
    [pathForms(key), key])
  return rows.length > 0 ? toTarget(rows[0]) : null
}

// A stream found the file at another size than the index says (truncated, rewritten): the track
// shows its real size at once, and its modification time is set to one no file has, so that the
// next scan reads the file again whatever its mtime is now.
export async function noteChangedSize (db: Queryable, filePath: string, size: number): Promise<void> {
  await db.query('UPDATE tracks SET file_size = $2, file_mtime_ms = -1 WHERE file_path = $1 AND file_size <> $2', [filePath, size])
}

// Players fire many requests per track (probe, seeks, reconnects), and embedded PGlite answers
// one query at a time, so lookups are remembered briefly and concurrent ones share one query.
// Only the row is cached: the file is resolved and stat'ed on every request, so a deleted or
// changed file is noticed at once; a row removed or moved by a rescan is noticed within ttlMs.
export class StreamPathCache<T = string> {
  private readonly entries = new Map<string, { at: number, value: Promise<T | null> }>()

  constructor (private readonly ttlMs: number, private readonly maxEntries: number) {}

  get (key: string, load: (key: string) => Promise<T | null>): Promise<T | null> {
    const now = Date.now()
    const hit = this.entries.get(key)
    if (hit !== undefined && now - hit.at < this.ttlMs) return hit.value
    if (this.entries.size >= this.maxEntries) this.entries.clear()
    const value = load(key)
    this.entries.set(key, { at: now, value })
    // Failures (database down) are not remembered.
    value.catch(() => { if (this.entries.get(key)?.value === value) this.entries.delete(key) })
    return value
  }
}
