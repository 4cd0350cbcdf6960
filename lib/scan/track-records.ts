// The column values the scanner writes for a file's artists, album and track, worked out from
// its tags alone. Test seeds and the benchmark's synthetic library take their rows from here
// too, so the keys they store are the keys a scan stores and their lists sort as production's.
// Ids (artist_id, album_id, the track's own) and user state are the writer's business.
import { fold, sortKey } from '../text-fold.js'
import type { TrackTags } from './tags.js'

export interface ArtistRecord {
  name: string
  // Identity: one row per folded name (artists.name_key is UNIQUE).
  name_key: string
  sort_key: string
  mbid: string | null
}

export interface AlbumRecord {
  title: string
  // Identity, with the album artist and the MusicBrainz album id (albums_identity_idx).
  title_key: string
  sort_key: string
  album_artist: string
  mb_album_id: string | null
  compilation: boolean
  search_key: string
}

export interface TrackRecord {
  file_path: string
  file_size: number
  file_mtime_ms: number
  title: string
  sort_key: string
  artist: string
  artists: string[]
  artist_key: string
  album_artist: string
  album: string
  album_key: string
  track_number: number | null
  track_total: number | null
  disc_number: number | null
  disc_total: number | null
  year: number | null
  genres: string[]
  duration: number
  container: string | null
  codec: string | null
  bitrate: number | null
  sample_rate: number | null
  channels: number | null
  bits_per_sample: number | null
  lossless: boolean
  mb_track_id: string | null
  mb_recording_id: string | null
  mb_album_id: string | null
  mb_artist_id: string | null
  mb_album_artist_id: string | null
  replaygain_track_gain: number | null
  replaygain_track_peak: number | null
  replaygain_album_gain: number | null
  replaygain_album_peak: number | null
  has_cover: boolean
  search_key: string
}

type AlbumTags = Pick<TrackTags, 'album' | 'albumArtist' | 'mbAlbumId' | 'compilation'>

// A library-relative path, and the size and mtime a rescan compares to see a file changed.
interface RecordStamp { path: string, size: number, mtimeMs: number }

// The SQL type of every column a track record holds, for the unnest/recordset casts of the bulk
// writers (the scanner's upsert and the benchmark seed), so a new record column is typed once.
export const TRACK_RECORD_TYPES: Record<keyof TrackRecord, string> = {
  file_path: 'text',
  file_size: 'bigint',
  file_mtime_ms: 'bigint',
  title: 'text',
  sort_key: 'text',
  artist: 'text',
  artists: 'text[]',
  artist_key: 'text',
  album_artist: 'text',
  album: 'text',
  album_key: 'text',
  track_number: 'integer',
  track_total: 'integer',
  disc_number: 'integer',
  disc_total: 'integer',
  year: 'integer',
  genres: 'text[]',
  duration: 'double precision',
  container: 'text',
  codec: 'text',
  bitrate: 'integer',
  sample_rate: 'integer',
  channels: 'integer',
  bits_per_sample: 'integer',
  lossless: 'boolean',
  mb_track_id: 'text',
  mb_recording_id: 'text',
  mb_album_id: 'text',
  mb_artist_id: 'text',
  mb_album_artist_id: 'text',
  replaygain_track_gain: 'double precision',
  replaygain_track_peak: 'double precision',
  replaygain_album_gain: 'double precision',
  replaygain_album_peak: 'double precision',
  has_cover: 'boolean',
  search_key: 'text'
}

export function artistRecord (name: string, mbid: string | null = null): ArtistRecord {
  return { name, name_key: fold(name), sort_key: sortKey(name), mbid }
}

export function albumRecord (tags: AlbumTags): AlbumRecord {
  return {
    title: tags.album,
    title_key: fold(tags.album),
    sort_key: sortKey(tags.album),
    album_artist: tags.albumArtist,
    mb_album_id: tags.mbAlbumId,
    compilation: tags.compilation,
    // The album list's q matches the album artist as well as the title.
    search_key: fold(`${tags.album} ${tags.albumArtist}`)
  }
}

export function trackRecord (stamp: RecordStamp, tags: TrackTags): TrackRecord {
  return {
    file_path: stamp.path,
    file_size: stamp.size,
    file_mtime_ms: stamp.mtimeMs,
    title: tags.title,
    sort_key: sortKey(tags.title),
    artist: tags.artist,
    artists: tags.artists,
    artist_key: sortKey(tags.artist),
    album_artist: tags.albumArtist,
    album: tags.album,
    album_key: sortKey(tags.album),
    track_number: tags.trackNumber,
    track_total: tags.trackTotal,
    disc_number: tags.discNumber,
    disc_total: tags.discTotal,
    year: tags.year,
    genres: tags.genres,
    // Unknown lengths are stored as 0 (sql/008); the scan records a warning for them.
    duration: tags.duration ?? 0,
    container: tags.container,
    codec: tags.codec,
    bitrate: tags.bitrate,
    sample_rate: tags.sampleRate,
    channels: tags.channels,
    bits_per_sample: tags.bitsPerSample,
    lossless: tags.lossless,
    mb_track_id: tags.mbTrackId,
    mb_recording_id: tags.mbRecordingId,
    mb_album_id: tags.mbAlbumId,
    mb_artist_id: tags.mbArtistId,
    mb_album_artist_id: tags.mbAlbumArtistId,
    replaygain_track_gain: tags.replayGainTrackGain,
    replaygain_track_peak: tags.replayGainTrackPeak,
    replaygain_album_gain: tags.replayGainAlbumGain,
    replaygain_album_peak: tags.replayGainAlbumPeak,
    has_cover: tags.hasCover,
    search_key: fold(`${tags.title} ${tags.artist} ${tags.album}`)
  }
}
