// SQL for playlists and their entries (sql/006, owners sql/012). Rows become the API's Playlist
// only here.
//
// What a viewer may see is decided here, in the WHERE clause: their own playlists and the public
// ones. A playlist they may not see is not found, exactly like one that does not exist.
//
// An entry is shown while its track is in `tracks` (an inner join): entries of a missing track
// stay in playlist_entries and show again when a track with that id is back.
import type { PoolClient } from 'pg'
import type { PlaylistT, PlaylistType } from '../../schemas/playlist.js'
import { coverUrl } from '../library/track-row.js'
import { iso } from '../iso-time.js'
import type { Queryable } from '../db/queryable.js'

interface PlaylistRow {
  id: string
  name: string
  type: PlaylistType
  description: string | null
  rules: Record<string, unknown> | null
  snapshot_date: Date | string | null
  created_at: Date | string
  updated_at: Date | string
  owner_id: string
  owner_username: string | null
  is_public: boolean
  source_path: string | null
  source_entries: number | null
  source_unresolved: number | null
  source_missing: boolean | null
  imported_at: Date | string | null
}

const PLAYLIST_COLUMNS = `p.id, p.name, p.type, p.description, p.rules, p.snapshot_date, p.created_at, p.updated_at,
  p.owner_id, u.username AS owner_username, p.is_public,
  f.path AS source_path, f.entries AS source_entries, f.unresolved AS source_unresolved,
  f.missing AS source_missing, f.imported_at`
const PLAYLIST_FROM = 'playlists p JOIN users u ON u.id = p.owner_id LEFT JOIN playlist_files f ON f.playlist_id = p.id'
// $1 is the viewer's user id.
const VISIBLE = '(p.owner_id = $1 OR p.is_public)'
const COVERS_PER_PLAYLIST = 4

// Shown track ids and covers for many playlists in two statements.
async function toPlaylists (db: Queryable, rows: PlaylistRow[]): Promise<PlaylistT[]> {
  if (rows.length === 0) return []
  const ids = rows.map((r) => r.id)
  const [entries, covers] = await Promise.all([
    db.query<{ playlist_id: string, track_ids: string[] }>(
      `SELECT e.playlist_id, array_agg(e.track_id::text ORDER BY e.position) AS track_ids
       FROM playlist_entries e JOIN tracks t ON t.id = e.track_id
       WHERE e.playlist_id = ANY($1::uuid[]) GROUP BY e.playlist_id`, [ids]),
    db.query<{ playlist_id: string, album_id: string }>(
      `SELECT playlist_id, album_id FROM (
         SELECT c.playlist_id, c.album_id, c.first,
                row_number() OVER (PARTITION BY c.playlist_id ORDER BY c.first) AS n
         FROM (SELECT e.playlist_id, t.album_id, min(e.position) AS first
               FROM playlist_entries e
               JOIN tracks t ON t.id = e.track_id
               JOIN albums al ON al.id = t.album_id
               WHERE e.playlist_id = ANY($1::uuid[]) AND al.cover_source IS NOT NULL
               GROUP BY e.playlist_id, t.album_id) c
       ) ranked WHERE n <= $2 ORDER BY playlist_id, first`, [ids, COVERS_PER_PLAYLIST])
  ])
  const trackIds = new Map(entries.rows.map((r) => [r.playlist_id, r.track_ids]))
  const coverArts = new Map<string, string[]>()
  for (const c of covers.rows) {
    const list = coverArts.get(c.playlist_id) ?? []
    list.push(coverUrl(c.album_id, true) as string)
    coverArts.set(c.playlist_id, list)
  }
  return rows.map((row) => {
    const shown = trackIds.get(row.id) ?? []
    const playlist: PlaylistT = {
      id: row.id,
      name: row.name,
      type: row.type,
      owner: { id: row.owner_id, username: row.owner_username },
      public: row.is_public,
      trackIds: shown,
      trackCount: shown.length,
      coverArts: coverArts.get(row.id) ?? [],
      createdAt: iso(row.created_at),
      updatedAt: iso(row.updated_at)
    }
    if (row.description !== null) playlist.description = row.description
    if (row.snapshot_date !== null) playlist.snapshotDate = iso(row.snapshot_date)
    if (row.rules !== null) playlist.rules = row.rules
    if (row.source_path !== null && row.imported_at !== null) {
      playlist.importedFrom = {
        path: row.source_path,
        entries: row.source_entries ?? 0,
        unresolved: row.source_unresolved ?? 0,
        missing: row.source_missing === true,
        importedAt: iso(row.imported_at)
      }
    }
    return playlist
  })
}

// The viewer's own playlists and the public ones.
export async function listPlaylists (db: Queryable, viewerId: string, type: PlaylistType | undefined): Promise<PlaylistT[]> {
  const { rows } = type === undefined
    ? await db.query<PlaylistRow>(`SELECT ${PLAYLIST_COLUMNS} FROM ${PLAYLIST_FROM} WHERE ${VISIBLE} ORDER BY lower(p.name), p.id`, [viewerId])
    : await db.query<PlaylistRow>(`SELECT ${PLAYLIST_COLUMNS} FROM ${PLAYLIST_FROM} WHERE ${VISIBLE} AND p.type = $2 ORDER BY lower(p.name), p.id`, [viewerId, type])
  return toPlaylists(db, rows)
}

// null: no such playlist, or one the viewer may not see.
export async function findPlaylist (db: Queryable, viewerId: string, id: string): Promise<PlaylistT | null> {
  const { rows } = await db.query<PlaylistRow>(`SELECT ${PLAYLIST_COLUMNS} FROM ${PLAYLIST_FROM} WHERE ${VISIBLE} AND p.id = $2`, [viewerId, id])
  return rows.length === 0 ? null : (await toPlaylists(db, rows))[0]
}

export interface LockedPlaylist {
  type: PlaylistType
  ownerId: string
  isPublic: boolean
}

// Holds the playlist row until the transaction ends, so concurrent edits of one playlist queue up.
export async function lockPlaylist (client: PoolClient, id: string): Promise<LockedPlaylist | null> {
  const { rows } = await client.query<{ type: PlaylistType, owner_id: string, is_public: boolean }>(
    'SELECT type, owner_id, is_public FROM playlists WHERE id = $1 FOR UPDATE', [id])
  return rows.length === 0 ? null : { type: rows[0].type, ownerId: rows[0].owner_id, isPublic: rows[0].is_public }
}

// Which of these ids are tracks in the library now.
export async function existingTrackIds (db: Queryable, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const { rows } = await db.query<{ id: string }>('SELECT id::text AS id FROM tracks WHERE id = ANY($1::uuid[])', [[...new Set(ids)]])
  return new Set(rows.map((r) => r.id))
}

export interface NewPlaylist {
  ownerId: string
  isPublic: boolean
  name: string
  type: PlaylistType
  description: string | null
  rules: string | null
  snapshotDate: string | null
}

export async function insertPlaylist (client: Queryable, p: NewPlaylist): Promise<string> {
  const { rows } = await client.query<{ id: string }>(
    `INSERT INTO playlists (name, type, description, rules, snapshot_date, owner_id, is_public)
     VALUES ($1, $2, $3, $4::jsonb, coalesce($5::timestamptz, CASE WHEN $2 = 'HISTORY_SNAPSHOT' THEN now() END), $6, $7)
     RETURNING id`,
    [p.name, p.type, p.description, p.rules, p.snapshotDate, p.ownerId, p.isPublic])
  return rows[0].id
}

// Columns a caller may set, by the name the service uses; values reach SQL as parameters.
const SETTABLE = {
  name: 'name = $',
  description: 'description = $',
  rules: 'rules = $::jsonb',
  snapshotDate: 'snapshot_date = $::timestamptz',
  isPublic: 'is_public = $::boolean'
} as const
export type PlaylistFields = Partial<Record<Exclude<keyof typeof SETTABLE, 'isPublic'>, string | null>> & { isPublic?: boolean }

// Sets the given fields (if any) and always moves updated_at.
export async function touchPlaylist (client: Queryable, id: string, fields: PlaylistFields = {}): Promise<void> {
  const sets = ['updated_at = now()']
  const values: unknown[] = [id]
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue
    values.push(value)
    sets.push(SETTABLE[key as keyof typeof SETTABLE].replace('$', `$${values.length}`))
  }
  await client.query(`UPDATE playlists SET ${sets.join(', ')} WHERE id = $1`, values)
}

// Every entry, shown or not, in order.
export async function allEntries (client: Queryable, id: string): Promise<Array<{ trackId: string, shown: boolean }>> {
  const { rows } = await client.query<{ track_id: string, shown: boolean }>(
    `SELECT e.track_id::text AS track_id, (t.id IS NOT NULL) AS shown
     FROM playlist_entries e LEFT JOIN tracks t ON t.id = e.track_id
     WHERE e.playlist_id = $1 ORDER BY e.position`, [id])
  return rows.map((r) => ({ trackId: r.track_id, shown: r.shown }))
}

export async function countEntries (client: Queryable, id: string): Promise<number> {
  const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM playlist_entries WHERE playlist_id = $1', [id])
  return rows[0].n
}

export async function replaceEntries (client: Queryable, id: string, trackIds: string[]): Promise<void> {
  await client.query('DELETE FROM playlist_entries WHERE playlist_id = $1', [id])
  await appendEntries(client, id, trackIds)
}

export async function appendEntries (client: Queryable, id: string, trackIds: string[]): Promise<void> {
  if (trackIds.length === 0) return
  await client.query(
    `INSERT INTO playlist_entries (playlist_id, position, track_id)
     SELECT $1, b.base + x.n, x.track_id
     FROM unnest($2::uuid[]) WITH ORDINALITY AS x(track_id, n),
          (SELECT coalesce(max(position), -1) AS base FROM playlist_entries WHERE playlist_id = $1) b`,
    [id, trackIds])
}

// Removes every entry, shown or hidden, of each given track. Returns how many went.
export async function removeEntries (client: Queryable, id: string, trackIds: string[]): Promise<number> {
  const { rowCount } = await client.query(
    'DELETE FROM playlist_entries WHERE playlist_id = $1 AND track_id = ANY($2::uuid[])', [id, trackIds])
  return rowCount ?? 0
}

// Which of these ids have an entry (shown or hidden) in the playlist.
export async function idsInPlaylist (client: Queryable, id: string, trackIds: string[]): Promise<Set<string>> {
  const { rows } = await client.query<{ id: string }>(
    'SELECT DISTINCT track_id::text AS id FROM playlist_entries WHERE playlist_id = $1 AND track_id = ANY($2::uuid[])',
    [id, trackIds])
  return new Set(rows.map((r) => r.id))
}

export async function deletePlaylist (db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM playlists WHERE id = $1', [id])
  return (rowCount ?? 0) > 0
}

export interface ExportRow {
  file_path: string
  title: string
  artist: string
  duration: number | null
}

// The shown entries with what an #EXTINF line needs, in order.
export async function exportRows (db: Queryable, id: string): Promise<ExportRow[]> {
  const { rows } = await db.query<ExportRow>(
    `SELECT t.file_path, t.title, t.artist, t.duration
     FROM playlist_entries e JOIN tracks t ON t.id = e.track_id
     WHERE e.playlist_id = $1 ORDER BY e.position`, [id])
  return rows
}

// Playlists imported from .m3u files that `userId` owns go to the oldest other admin, so deleting
// that person does not delete a playlist that is in everyone's media folder.
export async function handOverImported (client: PoolClient, userId: string): Promise<void> {
  await client.query(
    `UPDATE playlists SET owner_id = heir.id
     FROM (SELECT id FROM users WHERE role = 'admin' AND username IS NOT NULL AND id <> $1 ORDER BY created_at, id LIMIT 1) heir
     WHERE owner_id = $1 AND playlists.id IN (SELECT playlist_id FROM playlist_files WHERE playlist_id IS NOT NULL)`, [userId])
}
