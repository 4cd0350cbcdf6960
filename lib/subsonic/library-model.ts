// The library's tracks, albums and artists as Subsonic's Child, AlbumID3 and ArtistID3 (and
// the folder-style Child and Artist of the older methods), with the OpenSubsonic additions the
// library has data for. Ids are the library's UUIDs; a cover's id is its album's id.
import { extname } from 'node:path'
import type { AlbumT, ArtistT, TrackT } from '../../schemas/library.js'
import { audioContentType } from '../mime.js'
import type { SubsonicNode } from './response.js'

// What one user did with a track, album or artist (favourite, stars, plays).
export interface UserState {
  starredAt: Date | null
  rating: number | null
  playCount: number
  lastPlayed: Date | null
}
export type StateMap = Map<string, UserState>

const iso = (date: Date | string | null | undefined): string | undefined =>
  date === null || date === undefined ? undefined : new Date(date).toISOString()
const seconds = (duration: number): number => Math.round(duration)
const named = (names: readonly string[]): SubsonicNode[] => names.map((name) => ({ name }))
// Only 1 to 5 are ratings; 0 is how Subsonic says "unrated", and it is left out instead.
const stars = (rating: number | null | undefined): number | undefined => rating === null || rating === undefined || rating < 1 ? undefined : rating

function userFields (state: UserState | undefined): SubsonicNode {
  return {
    starred: iso(state?.starredAt),
    userRating: stars(state?.rating),
    playCount: state?.playCount ?? 0,
    played: iso(state?.lastPlayed)
  }
}

export function child (track: TrackT, state?: UserState): SubsonicNode {
  const suffix = extname(track.filePath).slice(1).toLowerCase()
  const mine: UserState = state ?? {
    starredAt: null,
    rating: track.rating,
    playCount: track.playCount,
    lastPlayed: track.lastPlayed === null ? null : new Date(track.lastPlayed)
  }
  return {
    id: track.id,
    parent: track.albumId,
    isDir: false,
    title: track.title,
    album: track.album,
    artist: track.artist,
    track: track.trackNumber ?? undefined,
    year: track.year ?? undefined,
    genre: track.genre ?? undefined,
    coverArt: track.coverArt === null ? undefined : track.albumId,
    size: track.fileSize,
    contentType: audioContentType(track.filePath),
    suffix: suffix === '' ? undefined : suffix,
    duration: seconds(track.duration),
    bitRate: track.format.bitrate ?? undefined,
    bitDepth: track.format.bitsPerSample ?? undefined,
    samplingRate: track.format.sampleRate ?? undefined,
    channelCount: track.format.channels ?? undefined,
    path: track.filePath,
    isVideo: false,
    discNumber: track.discNumber ?? undefined,
    created: iso(track.addedAt),
    albumId: track.albumId,
    artistId: track.artistId,
    type: 'music',
    mediaType: 'song',
    ...userFields(mine),
    musicBrainzId: track.musicBrainz.trackId ?? track.musicBrainz.recordingId ?? undefined,
    genres: named(track.genres),
    artists: [{ id: track.artistId, name: track.artist }],
    displayArtist: track.artist,
    // The track row knows the album artist's id only when it is the track's own artist.
    albumArtists: track.albumArtist === track.artist ? [{ id: track.artistId, name: track.albumArtist }] : [],
    displayAlbumArtist: track.albumArtist,
    replayGain: {
      trackGain: track.replayGain.trackGain ?? undefined,
      albumGain: track.replayGain.albumGain ?? undefined,
      trackPeak: track.replayGain.trackPeak ?? undefined,
      albumPeak: track.replayGain.albumPeak ?? undefined
    }
  }
}

export function albumID3 (album: AlbumT, state?: UserState): SubsonicNode {
  return {
    id: album.id,
    name: album.title,
    artist: album.artist,
    artistId: album.artistId,
    coverArt: album.coverArt === null ? undefined : album.id,
    songCount: album.trackCount,
    duration: seconds(album.totalDuration),
    created: iso(album.addedAt),
    year: album.year ?? undefined,
    genre: album.genres[0],
    ...userFields(state),
    genres: named(album.genres),
    artists: [{ id: album.artistId, name: album.artist }],
    displayArtist: album.artist,
    isCompilation: album.compilation
  }
}

// An album as a folder (getMusicDirectory, getAlbumList, search2, getStarred).
export function albumDirectory (album: AlbumT, state?: UserState): SubsonicNode {
  return {
    id: album.id,
    parent: album.artistId,
    isDir: true,
    title: album.title,
    name: album.title,
    album: album.title,
    artist: album.artist,
    year: album.year ?? undefined,
    genre: album.genres[0],
    coverArt: album.coverArt === null ? undefined : album.id,
    duration: seconds(album.totalDuration),
    created: iso(album.addedAt),
    albumId: album.id,
    artistId: album.artistId,
    songCount: album.trackCount,
    ...userFields(state),
    mediaType: 'album'
  }
}

// The album whose cover stands for an artist: theirs has none of its own.
export const coverOf = (artist: ArtistT): string | undefined => artist.imageUrl?.split('/').pop()

export function artistID3 (artist: ArtistT, state?: UserState): SubsonicNode {
  return {
    id: artist.id,
    name: artist.name,
    coverArt: coverOf(artist),
    albumCount: artist.albumCount,
    starred: iso(state?.starredAt),
    userRating: stars(state?.rating)
  }
}

// An artist as a folder (getIndexes, getStarred, search2).
export function artistDirectory (artist: ArtistT, state?: UserState): SubsonicNode {
  return {
    id: artist.id,
    name: artist.name,
    starred: iso(state?.starredAt),
    userRating: stars(state?.rating),
    coverArt: coverOf(artist),
    albumCount: artist.albumCount
  }
}
