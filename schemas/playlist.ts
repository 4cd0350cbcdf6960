import { Type, type Static } from '@sinclair/typebox'
import { DateTime, Uuid } from './common.js'

export const PLAYLIST_TYPES = ['MANUAL', 'SMART', 'GENERATED', 'HISTORY_SNAPSHOT'] as const
export type PlaylistType = typeof PLAYLIST_TYPES[number]

// Most entries one playlist holds (shown and hidden together), and most ids one request carries.
export const MAX_PLAYLIST_ENTRIES = 100_000
export const MAX_REQUEST_TRACK_IDS = 20_000
export const MAX_NAME_LENGTH = 200
export const MAX_DESCRIPTION_LENGTH = 5000
// Serialised JSON, in characters.
export const MAX_RULES_LENGTH = 16_384
export const MAX_RULES_DEPTH = 32

// A plain string enum: validation then says "must be equal to one of the allowed values".
const PlaylistTypeSchema = Type.Unsafe<PlaylistType>({
  type: 'string',
  enum: [...PLAYLIST_TYPES],
  description: 'MANUAL: made by hand (and imported .m3u files); SMART: rules-based; GENERATED: mixes; HISTORY_SNAPSHOT: a saved queue'
})

const Name = Type.String({ minLength: 1, maxLength: MAX_NAME_LENGTH })
const Description = Type.String({ maxLength: MAX_DESCRIPTION_LENGTH })
const Rules = Type.Record(Type.String(), Type.Unknown(), {
  description: `SMART playlists only: free-form JSON (at most ${MAX_RULES_LENGTH} characters serialised, ` +
    `${MAX_RULES_DEPTH} levels deep), stored and returned as given. The service does not evaluate it: ` +
    'trackIds are whatever the client last set.'
})
const SnapshotDate = Type.String({ format: 'date-time', description: 'HISTORY_SNAPSHOT playlists only: when the queue was saved' })
const TrackIds = Type.Array(Uuid, {
  maxItems: MAX_REQUEST_TRACK_IDS,
  description: 'Track ids in order; the same id may appear more than once. Every id must be an indexed track.'
})

export const PlaylistSource = Type.Object({
  path: Type.String({ description: 'Library-relative path of the .m3u/.m3u8 file' }),
  entries: Type.Integer({ minimum: 0, description: 'Lines that named a track, at the last import' }),
  unresolved: Type.Integer({ minimum: 0, description: 'Of those, lines that matched no indexed track (missing file, outside the media folder, not audio): see the scan\'s warnings' }),
  missing: Type.Boolean({ description: 'The latest scan did not find the file; the playlist is kept' }),
  importedAt: DateTime
}, { $id: 'PlaylistSource', description: 'Where an imported playlist came from' })

export const PlaylistOwner = Type.Object({
  id: Uuid,
  username: Type.Union([Type.String(), Type.Null()], {
    description: 'null while the owner is the server\'s account from before anyone signed up (it holds what was saved ' +
      'then, and playlists imported from files, until the first admin claims it)'
  })
}, { $id: 'PlaylistOwner', description: 'The user the playlist belongs to: only they can change it' })

const PUBLIC_TEXT = 'Everyone can see and export a public playlist; only its owner can change it. ' +
  'A private one is seen by its owner alone.'

export const Playlist = Type.Object({
  id: Uuid,
  name: Type.String(),
  type: PlaylistTypeSchema,
  owner: Type.Ref(PlaylistOwner),
  public: Type.Boolean({ description: PUBLIC_TEXT }),
  description: Type.Optional(Type.String()),
  trackIds: Type.Array(Uuid, {
    description: 'In order, duplicates kept. Entries whose track is missing from the library are left out while it is missing and come back with it.'
  }),
  trackCount: Type.Integer({ minimum: 0, description: 'The length of trackIds' }),
  coverArts: Type.Array(Type.String(), {
    maxItems: 4,
    description: 'Up to 4 root-relative cover URLs (/api/cover/{albumId}) of distinct albums, in playlist order'
  }),
  createdAt: DateTime,
  updatedAt: DateTime,
  snapshotDate: Type.Optional(DateTime),
  rules: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  importedFrom: Type.Optional(Type.Ref(PlaylistSource))
}, { $id: 'Playlist' })
export type PlaylistT = Static<typeof Playlist>

export const PlaylistList = Type.Object({
  playlists: Type.Array(Type.Ref(Playlist), { description: 'By name (case-insensitive), then id' })
}, { $id: 'PlaylistList' })

export const PlaylistListQuery = Type.Object({
  type: Type.Optional(Type.Unsafe<PlaylistType | ''>({
    type: 'string',
    enum: [...PLAYLIST_TYPES, ''],
    description: 'Only playlists of this type; empty or absent: every type'
  }))
})

export const PlaylistCreate = Type.Object({
  name: Name,
  type: Type.Optional({ ...PlaylistTypeSchema, description: 'MANUAL when absent' }),
  trackIds: Type.Optional(TrackIds),
  description: Type.Optional(Description),
  rules: Type.Optional(Rules),
  snapshotDate: Type.Optional({ ...SnapshotDate, description: 'HISTORY_SNAPSHOT only; the creation time when absent' }),
  public: Type.Optional(Type.Boolean({ description: `${PUBLIC_TEXT} false when absent.` }))
}, { additionalProperties: false })
export type PlaylistCreateT = Static<typeof PlaylistCreate>

// null comes first in the unions: the server's type coercion would otherwise turn null into "".
export const PlaylistPatch = Type.Object({
  name: Type.Optional(Name),
  trackIds: Type.Optional({
    ...TrackIds,
    description: 'The whole new order. Entries hidden because their track is missing are kept: each stays ' +
      'right after the entry that came before it (or the closest earlier one still in the list).'
  }),
  description: Type.Optional(Type.Union([Type.Null(), Description], { description: 'null removes it' })),
  rules: Type.Optional(Type.Union([Type.Null(), Rules], { description: 'SMART only; null removes them' })),
  snapshotDate: Type.Optional(Type.Union([Type.Null(), SnapshotDate], { description: 'HISTORY_SNAPSHOT only; null removes it' })),
  public: Type.Optional(Type.Boolean({ description: PUBLIC_TEXT }))
}, { additionalProperties: false, minProperties: 1 })
export type PlaylistPatchT = Static<typeof PlaylistPatch>

export const PlaylistTracksBody = Type.Object({
  trackIds: TrackIds
}, { additionalProperties: false })

export const PLAYLIST_SCHEMAS = [PlaylistOwner, PlaylistSource, Playlist, PlaylistList]
