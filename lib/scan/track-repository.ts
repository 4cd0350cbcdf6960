// SQL the scanner writes the library with. What it does not read from files (analysis, added_at,
// id) is never named in an UPDATE here, so rescans keep it. Users' favourites, ratings and plays
// are in user_track_state (sql/011), keyed by the track's id, which the scanner never touches.
import type { Pool, PoolClient } from 'pg'
import { reportWarnings } from './scan-warnings.js'
import { TRACK_RECORD_TYPES, albumRecord, artistRecord, trackRecord, type ArtistRecord } from './track-records.js'
import type { Queryable } from '../db/queryable.js'
import { dirOf } from '../paths.js'
import type { TrackTags } from './tags.js'
import { recordOutcomes, type FileProblem } from './unindexed-files.js'
import { recordIndexBatch } from './scan-repository.js'
import { inScope } from './scan-scope.js'
import { claimIdentities, type GoneCheck, type ReturningTrack } from './track-identity.js'
import { inTransaction } from '../db/transaction.js'

export interface FileStamp { path: string, size: number, mtimeMs: number }

// contentKey: lib/scan/content-key.ts; null when the file could not be read for it.
export interface ParsedFile extends FileStamp { tags: TrackTags, contentKey: string | null }

interface UpsertResult { id: string, file_path: string, inserted: boolean }

export interface BatchOutcome {
  added: number
  updated: number
  tracks: Array<{ id: string, path: string }>
}

function sortedUnique<T> (items: T[], key: (t: T) => string): T[] {
  const map = new Map<string, T>()
  for (const item of items) if (!map.has(key(item))) map.set(key(item), item)
  // A fixed order keeps concurrent batches from locking the same rows in opposite orders.
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
}

async function upsertArtists (client: PoolClient, artists: ArtistRecord[]): Promise<Map<string, string>> {
  const list = sortedUnique(artists, (a) => a.name_key)
  const { rows } = await client.query<{ id: string, name_key: string }>(
    `INSERT INTO artists (name, name_key, sort_key, mbid)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
     ON CONFLICT (name_key) DO UPDATE SET mbid = coalesce(artists.mbid, EXCLUDED.mbid)
     RETURNING id, name_key`,
    [list.map((a) => a.name), list.map((a) => a.name_key), list.map((a) => a.sort_key), list.map((a) => a.mbid)])
  return new Map(rows.map((r) => [r.name_key, r.id]))
}

function albumKey (artistId: string, titleKey: string, mbAlbumId: string | null): string {
  return `${artistId}\u0001${titleKey}\u0001${mbAlbumId ?? ''}`
}

export const UNKNOWN_DURATION = 'warning: duration unknown: neither the tags nor the audio frames give it; shown as 0'

// Writes one batch in one transaction, and counts it into the scan in that same transaction so a
// batch retried after a crash is never counted twice.
// Serialization failures and deadlocks between concurrent batches are retried a few times.
const RETRYABLE = new Set(['40001', '40P01'])

// isGone: whether a library-relative path names nothing now, for moves (lib/scan/track-identity.ts).
// analysisDue: the written tracks are marked due for analysis in the same transaction, so that
// a failed publish afterwards cannot lose them (lib/analysis).
export async function upsertBatch (pool: Pool, scanId: string, files: ParsedFile[], problems: FileProblem[], isGone: GoneCheck = async () => false, opts: { analysisDue?: boolean } = {}): Promise<BatchOutcome> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await upsertOnce(pool, scanId, files, problems, isGone, opts.analysisDue === true)
    } catch (err) {
      if (attempt >= 3 || !RETRYABLE.has((err as { code?: string }).code ?? '')) throw err
    }
  }
}

async function upsertOnce (pool: Pool, scanId: string, files: ParsedFile[], problems: FileProblem[], isGone: GoneCheck, analysisDue: boolean): Promise<BatchOutcome> {
  return await inTransaction(pool, async (client) => {
    let outcome: BatchOutcome = { added: 0, updated: 0, tracks: [] }
    if (files.length > 0) {
      const identities = await claimIdentities(client, files, isGone)
      outcome = await writeTracks(client, files, identities.returning)
    }
    if (analysisDue && outcome.tracks.length > 0) {
      await client.query('UPDATE tracks SET analysis_due = true WHERE id = ANY($1::uuid[])', [outcome.tracks.map((t) => t.id)])
    }
    await recordOutcomes(client, problems, files.map((f) => f.path))
    const failed = problems.filter((p) => !p.skipped).length
    await recordIndexBatch(client, scanId, problems, {
      processed: files.length + problems.length,
      added: outcome.added,
      updated: outcome.updated,
      failed,
      skipped: problems.length - failed,
      lastFile: files.at(-1)?.path ?? problems.at(-1)?.path ?? null
    })
    // Indexed all the same: the track plays, only its length shows as 0.
    await reportWarnings(client, scanId, files.filter((f) => f.tags.duration === null).map((f) => ({ path: f.path, message: UNKNOWN_DURATION })))
    return outcome
  })
}

async function writeTracks (client: PoolClient, files: ParsedFile[], returning: Map<string, ReturningTrack>): Promise<BatchOutcome> {
  const artistIds = await upsertArtists(client, files.flatMap((f) => [
    artistRecord(f.tags.artist, f.tags.mbArtistId),
    artistRecord(f.tags.albumArtist, f.tags.mbAlbumArtistId)
  ]))
  const artistId = (name: string): string => {
    const id = artistIds.get(artistRecord(name).name_key)
    if (id === undefined) throw new Error(`artist missing after upsert: ${name}`)
    return id
  }

  const parsed = files.map((f) => ({ file: f, album: { ...albumRecord(f.tags), artist_id: artistId(f.tags.albumArtist) } }))
  const albums = sortedUnique(parsed.map((p) => p.album), (a) => albumKey(a.artist_id, a.title_key, a.mb_album_id))
  const albumRows = await client.query<{ id: string, artist_id: string, title_key: string, mb_album_id: string | null }>(
    `INSERT INTO albums (artist_id, title, title_key, sort_key, album_artist, mb_album_id, compilation, search_key)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bool[], $8::text[])
     ON CONFLICT (artist_id, title_key, (coalesce(mb_album_id, '')))
     DO UPDATE SET compilation = albums.compilation OR EXCLUDED.compilation, updated_at = now()
     RETURNING id, artist_id, title_key, mb_album_id`,
    [albums.map((a) => a.artist_id), albums.map((a) => a.title), albums.map((a) => a.title_key), albums.map((a) => a.sort_key),
      albums.map((a) => a.album_artist), albums.map((a) => a.mb_album_id), albums.map((a) => a.compilation), albums.map((a) => a.search_key)])
  const albumIds = new Map(albumRows.rows.map((r) => [albumKey(r.artist_id, r.title_key, r.mb_album_id), r.id]))

  const records = parsed.map(({ file: f, album }) => {
    const albumId = albumIds.get(albumKey(album.artist_id, album.title_key, album.mb_album_id))
    if (albumId === undefined) throw new Error(`album missing after upsert: ${f.tags.album}`)
    return {
      ...trackRecord(f, f.tags),
      artist_id: artistId(f.tags.artist),
      album_id: albumId,
      content_key: f.contentKey,
      ...returning.get(f.path)
    }
  })
  // Sorted by path for the same lock-order reason as above.
  records.sort((a, b) => (a.file_path < b.file_path ? -1 : a.file_path > b.file_path ? 1 : 0))
  // A returning track is inserted with its id, analysis and added_at; every other new row gets the defaults.
  const { rows } = await client.query<UpsertResult>(
    `INSERT INTO tracks (${WRITABLE.join(', ')}, ${Object.keys(IDENTITY).join(', ')})
     SELECT ${WRITABLE.join(', ')}, ${Object.values(IDENTITY).map((i) => i.value).join(', ')}
     FROM jsonb_to_recordset($1::jsonb) AS x(${[...WRITABLE.map((c) => `${c} ${COLUMN_TYPES[c]}`), ...Object.entries(IDENTITY).map(([c, i]) => `${c} ${i.type}`)].join(', ')})
     ON CONFLICT (file_path) DO UPDATE SET ${WRITABLE.filter((c) => c !== 'file_path').map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()
     -- A batch delivered twice (a retried job racing its duplicate) finds the row current: no-op.
     WHERE (tracks.file_size, tracks.file_mtime_ms) IS DISTINCT FROM (EXCLUDED.file_size, EXCLUDED.file_mtime_ms)
     RETURNING id, file_path, (xmax = 0) AS inserted`,
    [JSON.stringify(records)])
  let added = 0
  for (const r of rows) if (r.inserted) added++
  return { added, updated: rows.length - added, tracks: rows.map((r) => ({ id: r.id, path: r.file_path })) }
}

const COLUMN_TYPES: Record<string, string> = {
  ...TRACK_RECORD_TYPES,
  artist_id: 'uuid',
  album_id: 'uuid',
  content_key: 'text'
}
const WRITABLE = Object.keys(COLUMN_TYPES)

// The columns a returning track brings back (lib/scan/track-identity.ts), and a new row's values.
const IDENTITY: Record<string, { type: string, value: string }> = {
  id: { type: 'uuid', value: 'coalesce(x.id, gen_random_uuid())' },
  analysis: { type: 'jsonb', value: 'x.analysis' },
  analysis_updated_at: { type: 'timestamptz', value: 'x.analysis_updated_at' },
  added_at: { type: 'timestamptz', value: 'coalesce(x.added_at, now())' }
}

// What a track keeps while its file is away: its id and the columns the scanner never writes.
// Users' state stays in user_track_state under the same id.
const RETIRED_COLUMNS = ['id', 'file_path', 'content_key', 'analysis', 'analysis_updated_at', 'added_at']

// Removes the tracks whose files the complete walk did not see, except under the folders it
// must keep (lib/scan/kept-folders.ts). A removed track's id and analysis move to
// retired_tracks, for the file to bring back if it returns. Returns how many went.
// With a scope (library-relative folders, watch mode), only tracks inside those folders count.
export async function removeMissing (db: Queryable, seenPaths: string[], keptFolders: string[] = [], scope?: string[]): Promise<number> {
  if (scope !== undefined && scope.length === 0) return 0
  const { rowCount } = await db.query(
    `WITH gone AS (
       DELETE FROM tracks t WHERE NOT (t.file_path = ANY($1::text[]))
         AND NOT EXISTS (SELECT 1 FROM unnest($2::text[]) AS k(folder) WHERE left(t.file_path, length(k.folder) + 1) = k.folder || '/')
         AND ($3::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($3::text[]) AS s(folder) WHERE left(t.file_path, length(s.folder) + 1) = s.folder || '/'))
       RETURNING ${RETIRED_COLUMNS.join(', ')})
     INSERT INTO retired_tracks (${RETIRED_COLUMNS.join(', ')}) SELECT ${RETIRED_COLUMNS.join(', ')} FROM gone
     ON CONFLICT (id) DO UPDATE SET ${RETIRED_COLUMNS.filter((c) => c !== 'id').map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, retired_at = now()`,
    [seenPaths, keptFolders, scope ?? null])
  return rowCount ?? 0
}

export async function pruneEmpty (db: Queryable): Promise<void> {
  await db.query('DELETE FROM albums al WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.album_id = al.id)')
  await db.query(`DELETE FROM artists ar WHERE NOT EXISTS (SELECT 1 FROM tracks t WHERE t.artist_id = ar.id)
    AND NOT EXISTS (SELECT 1 FROM albums al WHERE al.artist_id = ar.id)`)
}

// Album year (most common track year), and cover source: the first track (disc/track order)
// with an embedded picture, else a folder image beside the album's first track.
// With a scope, folder images were looked for only inside it: albums elsewhere keep theirs.
export async function refreshAlbums (db: Queryable, folderCovers: Map<string, string>, scope?: string[]): Promise<void> {
  await db.query(`UPDATE albums al SET year = y.year FROM (
      SELECT album_id, mode() WITHIN GROUP (ORDER BY year) AS year FROM tracks WHERE year IS NOT NULL GROUP BY album_id
    ) y WHERE y.album_id = al.id AND al.year IS DISTINCT FROM y.year`)
  const ORDER = 'album_id, disc_number NULLS LAST, track_number NULLS LAST, file_path'
  const [albums, embedded, first] = await Promise.all([
    db.query<{ id: string, cover_source: string | null }>('SELECT id, cover_source FROM albums'),
    db.query<{ album_id: string, file_path: string }>(`SELECT DISTINCT ON (album_id) album_id, file_path FROM tracks WHERE has_cover ORDER BY ${ORDER}`),
    db.query<{ album_id: string, file_path: string }>(`SELECT DISTINCT ON (album_id) album_id, file_path FROM tracks ORDER BY ${ORDER}`)
  ])
  const embeddedBy = new Map(embedded.rows.map((r) => [r.album_id, r.file_path]))
  const firstBy = new Map(first.rows.map((r) => [r.album_id, r.file_path]))
  const rows = albums.rows.map((a) => ({ ...a, embedded: embeddedBy.get(a.id) ?? null, first_path: firstBy.get(a.id) ?? null }))
  const ids: string[] = []
  const sources: Array<string | null> = []
  for (const r of rows) {
    let source: string | null = null
    if (r.embedded !== null) source = `embedded:${r.embedded}`
    else if (r.first_path !== null) {
      const dir = dirOf(r.first_path)
      if (inScope(dir, scope)) {
        const image = folderCovers.get(dir)
        if (image !== undefined) source = `file:${image}`
      } else if (r.cover_source?.startsWith('file:') === true) {
        source = r.cover_source
      }
    }
    if (source !== r.cover_source) {
      ids.push(r.id)
      sources.push(source)
    }
  }
  if (ids.length > 0) {
    await db.query(`UPDATE albums al SET cover_source = v.src, updated_at = now()
      FROM unnest($1::uuid[], $2::text[]) AS v(id, src) WHERE al.id = v.id`, [ids, sources])
  }
}
