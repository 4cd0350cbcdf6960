// What getOpenSubsonicExtensions, getMusicFolders, getUser and getScanStatus say.
import type { ScanStatusT } from '../../schemas/scan.js'
import type { SubsonicNode } from './response.js'

export const EXTENSIONS: SubsonicNode[] = [
  { name: 'apiKeyAuthentication', versions: [1] },
  { name: 'formPost', versions: [1] },
  { name: 'songLyrics', versions: [1] },
  // stream's timeOffset: apps that see it seek by asking for the track from a time.
  { name: 'transcodeOffset', versions: [1] }
]

// The media root is the one folder; Subsonic's folder ids are integers.
export const MUSIC_FOLDER_ID = 1
export const MUSIC_FOLDER = { id: MUSIC_FOLDER_ID, name: 'Music' }

// Everyone may listen, download, star and keep playlists; only admins manage the server.
export function subsonicUser (username: string, admin: boolean): SubsonicNode {
  return {
    username,
    scrobblingEnabled: true,
    adminRole: admin,
    settingsRole: true,
    downloadRole: true,
    uploadRole: false,
    playlistRole: true,
    coverArtRole: false,
    commentRole: false,
    podcastRole: false,
    streamRole: true,
    jukeboxRole: false,
    shareRole: false,
    videoConversionRole: false,
    folder: [MUSIC_FOLDER_ID]
  }
}

export function scanStatus (status: ScanStatusT): SubsonicNode {
  return {
    scanning: status.isScanning,
    // While a scan runs, the files it has gone through; otherwise the tracks indexed.
    count: status.isScanning ? status.progress.processed : status.stats.tracks,
    lastScan: status.scan?.finishedAt ?? undefined
  }
}
