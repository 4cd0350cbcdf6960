// The rules of playlists, for every API surface. Routes only translate HTTP to these calls.
//
// - trackIds keep their order exactly and may repeat an id. Every id written must be a track in
//   the library now; otherwise nothing changes and the error names the unknown ids.
// - Entries of tracks that are missing from the library for now are hidden, not deleted (see
//   playlist-repository.ts); replacing the whole list keeps them (entry-order.ts).
// - Removing tracks removes every entry of each given id, hidden ones included.
// - rules (SMART) are stored and returned as given, within size bounds, and not evaluated: the
//   clients that define rules also compute their tracks and send them as trackIds.
// - Every call names its caller. A playlist belongs to the user who made it; they see their own
//   and everyone's public ones. Only the owner changes one, admins included: a playlist is a
//   person's, not the server's. Another user's private playlist is a 404 to every verb, so its
//   existence is not given away; another user's public one is a 403 to a change.
import type { Pool, PoolClient } from 'pg'
import {
  MAX_PLAYLIST_ENTRIES, MAX_RULES_DEPTH, MAX_RULES_LENGTH,
  type PlaylistCreateT, type PlaylistPatchT, type PlaylistT, type PlaylistType
} from '../../schemas/playlist.js'
import { reorderKeepingHidden } from './entry-order.js'
import { formatM3u } from './m3u.js'
import { inTransaction } from '../db/transaction.js'
import type { Caller } from '../users/caller.js'
import {
  allEntries, appendEntries, countEntries, deletePlaylist, existingTrackIds, exportRows, findPlaylist, idsInPlaylist,
  insertPlaylist, listPlaylists, lockPlaylist, removeEntries, replaceEntries, touchPlaylist,
  type PlaylistFields
} from './playlist-repository.js'

// Carries its HTTP status, so the error handler answers with it as for any other 4xx.
export class PlaylistError extends Error {
  constructor (readonly statusCode: 400 | 403 | 404, message: string, readonly code: string) {
    super(message)
    this.name = 'PlaylistError'
  }
}

export interface PlaylistExport {
  name: string
  body: string
}

export interface PlaylistService {
  list: (caller: Caller, type?: PlaylistType) => Promise<PlaylistT[]>
  get: (caller: Caller, id: string) => Promise<PlaylistT>
  create: (caller: Caller, input: PlaylistCreateT) => Promise<PlaylistT>
  update: (caller: Caller, id: string, patch: PlaylistPatchT) => Promise<PlaylistT>
  remove: (caller: Caller, id: string) => Promise<void>
  addTracks: (caller: Caller, id: string, trackIds: string[]) => Promise<PlaylistT>
  removeTracks: (caller: Caller, id: string, trackIds: string[]) => Promise<PlaylistT>
  exportM3u: (caller: Caller, id: string) => Promise<PlaylistExport>
}

function invalid (field: string, message: string): PlaylistError {
  return new PlaylistError(400, `body/${field} ${message}`, 'FST_ERR_VALIDATION')
}

function notFound (id: string): PlaylistError {
  return new PlaylistError(404, `Playlist ${id} not found`, 'PLAYLIST_NOT_FOUND')
}

function notOwner (id: string): PlaylistError {
  return new PlaylistError(403, `Playlist ${id} belongs to another user: only its owner can change it`, 'PLAYLIST_NOT_OWNED')
}

function listed (ids: string[]): string {
  const shown = ids.slice(0, 10).join(', ')
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown
}

// PostgreSQL text cannot hold NUL, and jsonb refuses unpaired surrogates.
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
function badText (value: string): boolean {
  return value.includes('\u0000') || UNPAIRED_SURROGATE.test(value)
}

function checkText (field: string, value: string | null | undefined): void {
  if (value === null || value === undefined) return
  if (badText(value)) throw invalid(field, 'must not contain NUL characters or unpaired surrogates')
}

function checkName (name: string | undefined): string | undefined {
  if (name === undefined) return undefined
  checkText('name', name)
  const trimmed = name.trim()
  if (trimmed === '') throw invalid('name', 'must not be blank')
  return trimmed
}

function checkRules (rules: Record<string, unknown> | null | undefined): string | null | undefined {
  if (rules === null || rules === undefined) return rules
  const walk = (value: unknown, depth: number): void => {
    if (depth > MAX_RULES_DEPTH) throw invalid('rules', `must not nest deeper than ${MAX_RULES_DEPTH} levels`)
    if (typeof value === 'string') {
      if (badText(value)) throw invalid('rules', 'must not contain NUL characters or unpaired surrogates')
    } else if (value !== null && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (!Array.isArray(value) && badText(key)) throw invalid('rules', 'must not contain NUL characters or unpaired surrogates')
        walk(inner, depth + 1)
      }
    }
  }
  walk(rules, 1)
  const json = JSON.stringify(rules)
  if (json.length > MAX_RULES_LENGTH) throw invalid('rules', `must be at most ${MAX_RULES_LENGTH} characters of JSON`)
  return json
}

// The schema's date-time allows offsets and years PostgreSQL refuses (year 0, +23:59): the value
// goes to the database in UTC, within what timestamptz holds.
function checkSnapshotDate (value: string | null | undefined): string | null | undefined {
  if (value === null || value === undefined) return value
  const date = new Date(value)
  const year = date.getUTCFullYear()
  if (Number.isNaN(date.getTime()) || year < 1 || year > 9999) throw invalid('snapshotDate', 'must be a date-time between the years 1 and 9999')
  return date.toISOString()
}

// Lower case, as the database returns uuids, so the same id is one id.
function normalise (ids: string[]): string[] {
  return ids.map((id) => id.toLowerCase())
}

function checkTypeFields (type: PlaylistType, fields: { rules?: unknown, snapshotDate?: unknown }): void {
  if (fields.rules !== undefined && fields.rules !== null && type !== 'SMART') {
    throw invalid('rules', `is for SMART playlists only; this one is ${type}`)
  }
  if (fields.snapshotDate !== undefined && fields.snapshotDate !== null && type !== 'HISTORY_SNAPSHOT') {
    throw invalid('snapshotDate', `is for HISTORY_SNAPSHOT playlists only; this one is ${type}`)
  }
}

export function createPlaylistService (pool: Pool): PlaylistService {
  const requireTracks = async (ids: string[]): Promise<void> => {
    const existing = await existingTrackIds(pool, ids)
    const unknown = [...new Set(ids.filter((id) => !existing.has(id)))]
    if (unknown.length > 0) {
      throw new PlaylistError(400, `body/trackIds contains ids that are not tracks in the library: ${listed(unknown)}`, 'UNKNOWN_TRACK_IDS')
    }
  }

  const get = async (caller: Caller, id: string): Promise<PlaylistT> => {
    const playlist = await findPlaylist(pool, caller.userId, id)
    if (playlist === null) throw notFound(id)
    return playlist
  }

  // Runs a change to one playlist with its row locked, as its owner; 404 when the caller cannot
  // see it, 403 when they can but it is someone else's.
  const changeOnly = async (caller: Caller, id: string, fn: (client: PoolClient, type: PlaylistType) => Promise<void>): Promise<void> => {
    await inTransaction(pool, async (client) => {
      const locked = await lockPlaylist(client, id)
      if (locked === null) throw notFound(id)
      if (locked.ownerId !== caller.userId) throw locked.isPublic ? notOwner(id) : notFound(id)
      await fn(client, locked.type)
    })
  }

  const change = async (caller: Caller, id: string, fn: (client: PoolClient, type: PlaylistType) => Promise<void>): Promise<PlaylistT> => {
    await changeOnly(caller, id, fn)
    return get(caller, id)
  }

  const withinLimit = (entries: number): void => {
    if (entries > MAX_PLAYLIST_ENTRIES) throw invalid('trackIds', `would make the playlist longer than ${MAX_PLAYLIST_ENTRIES} entries`)
  }

  return {
    list: async (caller, type) => listPlaylists(pool, caller.userId, type),
    get,

    create: async (caller, input) => {
      const type = input.type ?? 'MANUAL'
      const name = checkName(input.name) as string
      checkText('description', input.description)
      checkTypeFields(type, input)
      const rules = checkRules(input.rules) ?? null
      const snapshotDate = checkSnapshotDate(input.snapshotDate) ?? null
      const trackIds = normalise(input.trackIds ?? [])
      withinLimit(trackIds.length)
      await requireTracks(trackIds)
      const id = await inTransaction(pool, async (client) => {
        const created = await insertPlaylist(client, {
          ownerId: caller.userId, isPublic: input.public ?? false, name, type, description: input.description ?? null, rules, snapshotDate
        })
        await appendEntries(client, created, trackIds)
        return created
      })
      return get(caller, id)
    },

    update: async (caller, id, patch) => {
      const fields: PlaylistFields = {}
      fields.name = checkName(patch.name)
      checkText('description', patch.description)
      fields.description = patch.description
      fields.rules = checkRules(patch.rules)
      fields.snapshotDate = checkSnapshotDate(patch.snapshotDate)
      fields.isPublic = patch.public
      const trackIds = patch.trackIds === undefined ? undefined : normalise(patch.trackIds)
      if (trackIds !== undefined) await requireTracks(trackIds)
      return change(caller, id, async (client, type) => {
        checkTypeFields(type, patch)
        if (trackIds !== undefined) {
          const entries = reorderKeepingHidden(await allEntries(client, id), trackIds)
          withinLimit(entries.length)
          await replaceEntries(client, id, entries)
        }
        await touchPlaylist(client, id, fields)
      })
    },

    remove: async (caller, id) => {
      await changeOnly(caller, id, async (client) => {
        await deletePlaylist(client, id)
      })
    },

    addTracks: async (caller, id, ids) => {
      const trackIds = normalise(ids)
      await requireTracks(trackIds)
      return change(caller, id, async (client) => {
        withinLimit(await countEntries(client, id) + trackIds.length)
        await appendEntries(client, id, trackIds)
        await touchPlaylist(client, id)
      })
    },

    removeTracks: async (caller, id, ids) => {
      const trackIds = [...new Set(normalise(ids))]
      return change(caller, id, async (client) => {
        // An id of a track missing for now still names its hidden entries.
        const [inPlaylist, existing] = await Promise.all([idsInPlaylist(client, id, trackIds), existingTrackIds(client, trackIds)])
        const unknown = trackIds.filter((t) => !inPlaylist.has(t) && !existing.has(t))
        if (unknown.length > 0) {
          throw new PlaylistError(400, `body/trackIds contains ids that are neither tracks in the library nor in this playlist: ${listed(unknown)}`, 'UNKNOWN_TRACK_IDS')
        }
        if (await removeEntries(client, id, trackIds) > 0) await touchPlaylist(client, id)
      })
    },

    exportM3u: async (caller, id) => {
      const playlist = await get(caller, id)
      const rows = await exportRows(pool, id)
      return {
        name: playlist.name,
        body: formatM3u(playlist.name, rows.map((r) => ({ path: r.file_path, title: r.title, artist: r.artist, duration: r.duration })))
      }
    }
  }
}
