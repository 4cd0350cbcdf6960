// The one place that knows how a tracks row becomes the API's Track, and that reads tracks by id
// (the scanner's events included). A Track shows one person's state of it (sql/011): the
// viewer's, a user id; null shows no one's (never played, not a favourite, unrated).
import type { TrackT } from '../../schemas/library.js'
import { kbps, shortCodec } from './audio-format.js'
import type { Queryable } from '../db/queryable.js'
import { binder, rowsByIds, type BindParam, type Hydrate } from '../db/paged.js'

// A timestamp as the API shows it (what Date#toISOString gives: UTC, milliseconds truncated), made
// by the database: parsing timestamps into Dates and formatting them again was a tenth of the
// service's time on a page of tracks and on a whole list.
function isoText (column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`
}

export const TRACK_COLUMNS = `
  t.id, t.title, t.artist, t.artists, t.artist_id, t.album, t.album_id, t.album_artist,
  t.duration, t.file_path, t.file_size, t.file_mtime_ms, t.container, t.codec, t.bitrate,
  t.sample_rate, t.bits_per_sample, t.channels, t.lossless, t.year, t.genres, t.track_number,
  t.track_total, t.disc_number, t.disc_total, t.mb_track_id, t.mb_recording_id, t.mb_album_id,
  t.mb_artist_id, t.mb_album_artist_id, t.replaygain_track_gain, t.replaygain_track_peak,
  t.replaygain_album_gain, t.replaygain_album_peak, t.has_cover, ${isoText('t.added_at')} AS added_at,
  ${isoText('t.updated_at')} AS updated_at, ${isoText('st.last_played')} AS last_played,
  coalesce(st.play_count, 0) AS play_count, coalesce(st.is_favorite, false) AS is_favorite,
  st.rating, (al.cover_source IS NOT NULL) AS album_has_cover`

export type Viewer = string | null

// FROM clause matching TRACK_COLUMNS, the viewer bound as a parameter.
function trackFrom (viewer: Viewer, bind: BindParam): string {
  return `tracks t JOIN albums al ON al.id = t.album_id
    LEFT JOIN user_track_state st ON st.track_id = t.id AND st.user_id = ${bind(viewer)}::uuid`
}

export interface TrackRow {
  id: string
  title: string
  artist: string
  artists: string[]
  artist_id: string
  album: string
  album_id: string
  album_artist: string
  duration: number | null
  file_path: string
  file_size: string | number
  file_mtime_ms: string | number
  container: string | null
  codec: string | null
  bitrate: number | null
  sample_rate: number | null
  bits_per_sample: number | null
  channels: number | null
  lossless: boolean
  year: number | null
  genres: string[]
  track_number: number | null
  track_total: number | null
  disc_number: number | null
  disc_total: number | null
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
  added_at: string
  updated_at: string
  last_played: string | null
  play_count: number
  is_favorite: boolean
  rating: number | null
  album_has_cover: boolean
}

export function coverUrl (albumId: string, hasCover: boolean): string | null {
  return hasCover ? `/api/cover/${albumId}` : null
}

export function toTrack (row: TrackRow): TrackT {
  return {
    id: row.id,
    title: row.title,
    artist: row.artist,
    artists: row.artists,
    artistId: row.artist_id,
    album: row.album,
    albumId: row.album_id,
    albumArtist: row.album_artist,
    // 0: the duration could not be known. Rows written since sql/008 hold 0 for that already.
    duration: row.duration === null || row.duration < 0 ? 0 : row.duration,
    filePath: row.file_path,
    fileSize: Number(row.file_size),
    format: {
      codec: shortCodec(row.container, row.codec),
      container: row.container,
      bitrate: kbps(row.bitrate),
      sampleRate: row.sample_rate,
      bitsPerSample: row.bits_per_sample,
      channels: row.channels,
      lossless: row.lossless
    },
    year: row.year,
    genre: row.genres[0] ?? null,
    genres: row.genres,
    trackNumber: row.track_number,
    trackTotal: row.track_total,
    discNumber: row.disc_number,
    discTotal: row.disc_total,
    musicBrainz: {
      trackId: row.mb_track_id,
      recordingId: row.mb_recording_id,
      albumId: row.mb_album_id,
      artistId: row.mb_artist_id,
      albumArtistId: row.mb_album_artist_id
    },
    replayGain: {
      trackGain: row.replaygain_track_gain,
      trackPeak: row.replaygain_track_peak,
      albumGain: row.replaygain_album_gain,
      albumPeak: row.replaygain_album_peak
    },
    hasEmbeddedCover: row.has_cover,
    addedAt: row.added_at,
    updatedAt: row.updated_at,
    fileModifiedAt: new Date(Number(row.file_mtime_ms)).toISOString(),
    lastPlayed: row.last_played,
    playCount: row.play_count,
    isFavorite: row.is_favorite,
    rating: row.rating,
    coverArt: coverUrl(row.album_id, row.album_has_cover)
  }
}

export async function findTrackById (db: Queryable, viewer: Viewer, id: string): Promise<TrackT | null> {
  const values: unknown[] = [id]
  const { rows } = await db.query<TrackRow>(`SELECT ${TRACK_COLUMNS} FROM ${trackFrom(viewer, binder(values))} WHERE t.id = $1`, values)
  return rows.length === 0 ? null : toTrack(rows[0])
}

export function trackHydrate (viewer: Viewer): Hydrate {
  return { columns: TRACK_COLUMNS, from: (bind) => trackFrom(viewer, bind), id: 't.id' }
}

// In the order of `ids`; ids of no track are left out.
export async function tracksByIds (db: Queryable, viewer: Viewer, ids: string[]): Promise<TrackT[]> {
  return (await rowsByIds<TrackRow>(db, trackHydrate(viewer), ids)).map(toTrack)
}
