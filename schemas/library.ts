import { Type, type Static } from '@sinclair/typebox'
import { DateTime, SORT_ORDERS, Uuid, type SortOrder } from './common.js'

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer> | ReturnType<typeof Type.Number> | ReturnType<typeof Type.Boolean>>(schema: T) =>
  Type.Union([schema, Type.Null()])

const Rating = Type.Integer({ minimum: 1, maximum: 5 })

export const AudioFormat = Type.Object({
  codec: Nullable(Type.String({
    pattern: '^[a-z0-9]+$',
    description: 'Short lower-case codec name: mp3, flac, aac, alac, opus, vorbis, wav, aiff, wma, ape, ' +
      'wavpack or dsd; for other codecs mp1, mp2, mpc, speex, pcm (uncompressed samples outside WAVE and AIFF), ' +
      'or the codec\'s own name in lower case, letters and digits only (e.g. ac3). Null when unknown.'
  })),
  container: Nullable(Type.String({ description: 'The container\'s long name as the file declares it, e.g. MPEG, FLAC, Ogg, M4A/isom/iso2, WAVE, AIFF, ASF/audio, WavPack' })),
  bitrate: Nullable(Type.Integer({ minimum: 0, description: 'Average bitrate in kilobits per second (kbps), rounded to a whole number, e.g. 320' })),
  sampleRate: Nullable(Type.Integer({ description: 'Hz' })),
  bitsPerSample: Nullable(Type.Integer()),
  channels: Nullable(Type.Integer()),
  lossless: Type.Boolean()
}, { $id: 'AudioFormat' })

export const ReplayGain = Type.Object({
  trackGain: Nullable(Type.Number({ description: 'dB' })),
  trackPeak: Nullable(Type.Number()),
  albumGain: Nullable(Type.Number({ description: 'dB' })),
  albumPeak: Nullable(Type.Number())
}, { $id: 'ReplayGain' })

export const MusicBrainzIds = Type.Object({
  trackId: Nullable(Type.String()),
  recordingId: Nullable(Type.String()),
  albumId: Nullable(Type.String()),
  artistId: Nullable(Type.String()),
  albumArtistId: Nullable(Type.String())
}, { $id: 'MusicBrainzIds' })

export const Track = Type.Object({
  id: Uuid,
  title: Type.String(),
  artist: Type.String({ description: 'Display artist: every artist value joined' }),
  artists: Type.Array(Type.String(), { description: 'Every artist value of the tags' }),
  artistId: Uuid,
  album: Type.String(),
  albumId: Uuid,
  albumArtist: Type.String(),
  duration: Type.Number({ minimum: 0, description: 'Seconds, from the tags or, when they have none, from the audio frames; 0 only when it cannot be known (the scan then lists a warning for the file)' }),
  filePath: Type.String({ description: 'Library-relative path, forward slashes' }),
  fileSize: Type.Integer({ description: 'bytes' }),
  format: Type.Ref(AudioFormat),
  year: Nullable(Type.Integer()),
  genre: Nullable(Type.String({ description: 'The first genre' })),
  genres: Type.Array(Type.String()),
  trackNumber: Nullable(Type.Integer()),
  trackTotal: Nullable(Type.Integer()),
  discNumber: Nullable(Type.Integer()),
  discTotal: Nullable(Type.Integer()),
  musicBrainz: Type.Ref(MusicBrainzIds),
  replayGain: Type.Ref(ReplayGain),
  hasEmbeddedCover: Type.Boolean(),
  addedAt: DateTime,
  updatedAt: DateTime,
  fileModifiedAt: DateTime,
  lastPlayed: Type.Union([DateTime, Type.Null()], { description: 'When the caller last called POST /api/library/tracks/{id}/played; null if never' }),
  playCount: Type.Integer({ minimum: 0, description: 'Times the caller called POST /api/library/tracks/{id}/played' }),
  isFavorite: Type.Boolean({ description: 'The caller\'s favourite: each user has their own' }),
  rating: Type.Union([Rating, Type.Null()], { description: 'The caller\'s stars, 1 to 5; null when unrated' }),
  coverArt: Type.Union([Type.String({ description: 'Root-relative URL, e.g. /api/cover/{albumId}' }), Type.Null()])
}, { $id: 'Track' })
export type TrackT = Static<typeof Track>

// --- albums and artists ------------------------------------------------------------------

const CoverUrl = Type.Union([Type.String({ description: 'Root-relative URL, e.g. /api/cover/{albumId}' }), Type.Null()])

export const Album = Type.Object({
  id: Uuid,
  title: Type.String(),
  artist: Type.String({ description: 'The album artist' }),
  artistId: Uuid,
  year: Nullable(Type.Integer()),
  genres: Type.Array(Type.String(), { description: 'Every genre of its tracks' }),
  trackCount: Type.Integer({ minimum: 0 }),
  totalDuration: Type.Number({ description: 'seconds, the sum of its tracks' }),
  coverArt: CoverUrl,
  compilation: Type.Boolean(),
  addedAt: DateTime
}, { $id: 'Album' })
export type AlbumT = Static<typeof Album>

export const Artist = Type.Object({
  id: Uuid,
  name: Type.String(),
  trackCount: Type.Integer({ minimum: 0 }),
  albumCount: Type.Integer({ minimum: 0 }),
  genres: Type.Array(Type.String(), { description: 'Every genre of its tracks' }),
  imageUrl: Type.Union([Type.String({ description: 'The cover of one of its albums' }), Type.Null()]),
  addedAt: DateTime
}, { $id: 'Artist' })
export type ArtistT = Static<typeof Artist>

// --- lists -------------------------------------------------------------------------------

// -1 asks for the whole list; 1..MAX_LIMIT for a page.
const WholeLimit = Type.Unsafe<-1>({ type: 'integer', const: -1, description: 'The whole list' })

const Paging = {
  total: Type.Integer({ minimum: 0, description: 'Items matching, across every page' }),
  limit: Type.Union([WholeLimit, Type.Integer({ minimum: 1 })], { description: 'As asked: -1 for a whole list' }),
  offset: Type.Integer({ minimum: 0 })
}

export const TrackList = Type.Object({ tracks: Type.Array(Type.Ref(Track)), ...Paging }, { $id: 'TrackList' })
export const AlbumList = Type.Object({ albums: Type.Array(Type.Ref(Album)), ...Paging }, { $id: 'AlbumList' })
export const ArtistList = Type.Object({ artists: Type.Array(Type.Ref(Artist)), ...Paging }, { $id: 'ArtistList' })

export const MAX_LIMIT = 500

const PagingQuery = {
  limit: Type.Union([WholeLimit, Type.Integer({ minimum: 1, maximum: MAX_LIMIT })], {
    default: 50,
    description: `Items per page (1 to ${MAX_LIMIT}), or -1 for every item from offset on: the whole list comes ` +
      'in one streamed reply of the same shape, in the same order, with limit -1 and total as for a page'
  }),
  offset: Type.Integer({ minimum: 0, maximum: 2_147_483_647, default: 0, description: 'Items to skip' })
}
const Order = Type.Unsafe<SortOrder>({
  type: 'string',
  enum: [...SORT_ORDERS],
  description: 'asc by default, except sort=recent which is newest first unless asc is asked'
})
const SearchText = Type.String({ minLength: 1, maxLength: 200, description: 'Text every word of which must appear (case and accents ignored)' })
const Genre = Type.String({ minLength: 1, maxLength: 200, description: 'Exact genre value' })
const Year = Type.Integer({ minimum: 0, maximum: 9999 })

export const TRACK_SORTS = ['title', 'artist', 'album', 'year', 'recent', 'duration', 'trackNumber', 'playCount', 'lastPlayed'] as const
export const ALBUM_SORTS = ['title', 'artist', 'year', 'recent'] as const
export const ARTIST_SORTS = ['name', 'trackCount'] as const
export type TrackSort = typeof TRACK_SORTS[number]
export type AlbumSort = typeof ALBUM_SORTS[number]
export type ArtistSort = typeof ARTIST_SORTS[number]

// A plain string enum: validation then says "must be equal to one of the allowed values".
const literals = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description })

export const PagingOnlyQuery = Type.Object({ ...PagingQuery })

export const TrackListQuery = Type.Object({
  ...PagingQuery,
  sort: Type.Optional(literals(TRACK_SORTS, 'title by default; disc/track order when albumId is given. ' +
    'playCount and lastPlayed are the caller\'s own plays: a track the caller never played counts 0 plays and ' +
    'sorts as played longest ago')),
  order: Type.Optional(Order),
  artistId: Type.Optional(Uuid),
  albumId: Type.Optional(Uuid),
  genre: Type.Optional(Genre),
  year: Type.Optional(Year),
  q: Type.Optional(SearchText),
  favorite: Type.Optional(Type.Boolean({ description: 'true: only the caller\'s favourites; false: only the tracks that are not' }))
})

export const AlbumListQuery = Type.Object({
  ...PagingQuery,
  sort: Type.Optional(literals(ALBUM_SORTS, 'title by default')),
  order: Type.Optional(Order),
  artistId: Type.Optional(Uuid),
  genre: Type.Optional(Genre),
  year: Type.Optional(Year),
  q: Type.Optional(SearchText)
})

export const ArtistListQuery = Type.Object({
  ...PagingQuery,
  sort: Type.Optional(literals(ARTIST_SORTS, 'name by default')),
  order: Type.Optional(Order),
  q: Type.Optional(SearchText)
})

// --- search, alphabet index, stats -------------------------------------------------------

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'Words to look for; case, accents and small typos are forgiven' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20, description: 'Most items per kind' })
})

export const SearchResult = Type.Object({
  tracks: Type.Array(Type.Ref(Track)),
  albums: Type.Array(Type.Ref(Album)),
  artists: Type.Array(Type.Ref(Artist))
}, { $id: 'SearchResult', description: 'Best matches first: whole-word and prefix matches before fuzzy ones' })
export type SearchResultT = Static<typeof SearchResult>

export const ALPHABET_TYPES = ['tracks', 'albums', 'artists'] as const
export type AlphabetType = typeof ALPHABET_TYPES[number]
export const AlphabetQuery = Type.Object({
  type: literals(ALPHABET_TYPES, 'Which list the offsets refer to (its default sort)')
})

export const AlphabetIndex = Type.Record(Type.String({ pattern: '^([A-Z]|#)$' }), Type.Integer({ minimum: 0 }), {
  $id: 'AlphabetIndex',
  description: 'For each first letter present (A-Z, # for anything else), the offset of its first item in the list\'s default sort'
})
export type AlphabetIndexT = Static<typeof AlphabetIndex>

export const LibraryStats = Type.Object({
  trackCount: Type.Integer({ minimum: 0 }),
  artistCount: Type.Integer({ minimum: 0 }),
  albumCount: Type.Integer({ minimum: 0 }),
  totalDuration: Type.Number({ description: 'seconds' }),
  totalSize: Type.Integer({ description: 'bytes' }),
  lastScan: Type.Union([DateTime, Type.Null()], { description: 'When the latest finished scan ended' })
}, { $id: 'LibraryStats' })
export type LibraryStatsT = Static<typeof LibraryStats>

// --- user state --------------------------------------------------------------------------

export const TrackPatch = Type.Object({
  isFavorite: Type.Optional(Type.Boolean()),
  rating: Type.Optional(Type.Union([Rating, Type.Null()], { description: '1 to 5 sets the rating, null clears it' }))
}, {
  additionalProperties: false,
  minProperties: 1,
  description: 'User state only (tags come from the files): the fields sent change, the others stay'
})

export const LIBRARY_SCHEMAS = [AudioFormat, ReplayGain, MusicBrainzIds, Track, Album, Artist, TrackList, AlbumList, ArtistList, SearchResult, AlphabetIndex, LibraryStats]
