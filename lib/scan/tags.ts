// Turns music-metadata's output into the row the library stores. Pure: no I/O.
import type { IAudioMetadata } from 'music-metadata'
import { baseOf } from '../paths.js'

export const UNKNOWN_ARTIST = 'Unknown Artist'
export const UNKNOWN_ALBUM = 'Unknown Album'
export const VARIOUS_ARTISTS = 'Various Artists'

export interface TrackTags {
  title: string
  artist: string
  artists: string[]
  albumArtist: string
  album: string
  compilation: boolean
  trackNumber: number | null
  trackTotal: number | null
  discNumber: number | null
  discTotal: number | null
  year: number | null
  genres: string[]
  // null: not known (stored as 0, with a scan warning).
  duration: number | null
  container: string | null
  codec: string | null
  bitrate: number | null
  sampleRate: number | null
  channels: number | null
  bitsPerSample: number | null
  lossless: boolean
  mbTrackId: string | null
  mbRecordingId: string | null
  mbAlbumId: string | null
  mbArtistId: string | null
  mbAlbumArtistId: string | null
  replayGainTrackGain: number | null
  replayGainTrackPeak: number | null
  replayGainAlbumGain: number | null
  replayGainAlbumPeak: number | null
  hasCover: boolean
}

function text (value: unknown): string | null {
  if (typeof value !== 'string') return null
  // Tags padded with NULs or blanks are common in old ID3 files.
  const trimmed = value.replace(/\0+$/g, '').trim()
  return trimmed === '' ? null : trimmed
}

function unique (values: string[]): string[] {
  const seen = new Set<string>()
  const out: string[] = []
  for (const v of values) {
    if (!seen.has(v)) {
      seen.add(v)
      out.push(v)
    }
  }
  return out
}

function positiveInt (value: unknown): number | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null
  const n = Math.trunc(value)
  return n > 0 && n <= 2_147_483_647 ? n : null
}

function finite (value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

// A playing time in seconds; anything else (0, negative, NaN) means it is not known.
export function isLength (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value > 0
}

function int (value: unknown): number | null {
  const n = finite(value)
  return n === null ? null : Math.round(n)
}

export function fileTitle (relPath: string): string {
  const name = baseOf(relPath)
  const dot = name.lastIndexOf('.')
  return dot > 0 ? name.slice(0, dot) : name
}

// Any date form ("1999", "1999-06-12", "12/06/1999", "1999-06-12T10:00:00Z") to its year.
export function yearOf (...candidates: unknown[]): number | null {
  for (const c of candidates) {
    if (typeof c === 'number' && Number.isInteger(c) && c >= 1000 && c <= 9999) return c
    if (typeof c === 'string') {
      const m = /(?:^|\D)(\d{4})(?:\D|$)/.exec(c)
      if (m !== null) {
        const y = Number(m[1])
        if (y >= 1000 && y <= 9999) return y
      }
    }
  }
  return null
}

export function splitGenres (genres: unknown): string[] {
  if (!Array.isArray(genres)) return []
  const out: string[] = []
  for (const g of genres) {
    if (typeof g !== 'string') continue
    for (const part of g.split(/[;\0]/)) {
      const t = text(part)
      if (t !== null) out.push(t)
    }
  }
  return unique(out)
}

function isVarious (name: string | null): boolean {
  return name !== null && /^various(\s+artists?)?$/i.test(name.trim())
}

function firstOf (value: unknown): string | null {
  return Array.isArray(value) ? text(value[0]) : text(value)
}

// RIFF INFO chunks carry no encoding; music-metadata reads them as Latin-1 while most writers
// (ffmpeg, taggers) store UTF-8. Text that decodes cleanly as UTF-8 was UTF-8.
export function repairLatin1 (value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[\u0080-\u00ff]/.test(value) || /[^\u0000-\u00ff]/.test(value)) return value
  const decoded = Buffer.from(value, 'latin1').toString('utf8')
  return decoded.includes('\ufffd') ? value : decoded
}

function repairCommon (common: IAudioMetadata['common']): IAudioMetadata['common'] {
  const out: Record<string, unknown> = { ...common }
  for (const [key, value] of Object.entries(common)) {
    if (typeof value === 'string') out[key] = repairLatin1(value)
    else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) out[key] = value.map(repairLatin1)
  }
  return out as unknown as IAudioMetadata['common']
}

export function normaliseTags (metadata: IAudioMetadata, relPath: string): TrackTags {
  const { format } = metadata
  const riffOnly = format.tagTypes.includes('exif') && !format.tagTypes.some((tt) => tt.startsWith('ID3v2'))
  const common = riffOnly ? repairCommon(metadata.common) : metadata.common
  const artistValues = unique((common.artists ?? []).map(text).filter((a): a is string => a !== null))
  const ownArtist = text(common.artist)
  const artists = artistValues.length > 0 ? artistValues : (ownArtist !== null ? [ownArtist] : [])
  const artist = ownArtist ?? (artists.length > 0 ? artists.join(', ') : UNKNOWN_ARTIST)
  const taggedAlbumArtist = text(common.albumartist)
  const compilation = common.compilation === true || isVarious(taggedAlbumArtist)
  const albumArtist = compilation ? VARIOUS_ARTISTS : (taggedAlbumArtist ?? artist)
  const trackGain = common.replaygain_track_gain
  const trackPeak = common.replaygain_track_peak
  const albumGain = common.replaygain_album_gain
  const albumPeak = common.replaygain_album_peak
  return {
    title: text(common.title) ?? fileTitle(relPath),
    artist,
    artists: artists.length > 0 ? artists : [UNKNOWN_ARTIST],
    albumArtist,
    album: text(common.album) ?? UNKNOWN_ALBUM,
    compilation,
    trackNumber: positiveInt(common.track?.no),
    trackTotal: positiveInt(common.track?.of),
    discNumber: positiveInt(common.disk?.no),
    discTotal: positiveInt(common.disk?.of),
    year: yearOf(common.year, common.date, common.originaldate, common.originalyear),
    genres: splitGenres(common.genre),
    duration: isLength(format.duration) ? format.duration : null,
    container: text(format.container),
    codec: text(format.codec),
    bitrate: int(format.bitrate),
    sampleRate: int(format.sampleRate),
    channels: int(format.numberOfChannels),
    bitsPerSample: int(format.bitsPerSample),
    lossless: format.lossless === true,
    mbTrackId: text(common.musicbrainz_trackid),
    mbRecordingId: text(common.musicbrainz_recordingid),
    mbAlbumId: text(common.musicbrainz_albumid),
    mbArtistId: firstOf(common.musicbrainz_artistid),
    mbAlbumArtistId: firstOf(common.musicbrainz_albumartistid),
    replayGainTrackGain: finite(trackGain?.dB),
    replayGainTrackPeak: finite(trackPeak?.ratio),
    replayGainAlbumGain: finite(albumGain?.dB),
    replayGainAlbumPeak: finite(albumPeak?.ratio),
    hasCover: (common.picture?.length ?? 0) > 0
  }
}

// No codec, no sample rate, no duration: the parser found no audio stream at all.
export function hasAudioStream (metadata: IAudioMetadata): boolean {
  const f = metadata.format
  return f.codec !== undefined || f.sampleRate !== undefined || f.duration !== undefined
}
