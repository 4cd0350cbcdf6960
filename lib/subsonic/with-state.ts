// Tracks, albums and artists with the caller's stars, ratings and plays, read in one query per
// kind for a whole answer, then written as Subsonic nodes.
import type { AlbumT, ArtistT, TrackT } from '../../schemas/library.js'
import type { SubsonicNode } from './response.js'
import { albumDirectory, albumID3, artistDirectory, artistID3, child, type StateMap } from './library-model.js'

// What the library view (lib/library/library-service.ts `as(viewer)`) offers for this.
export interface StateSource {
  state: {
    tracks: (ids: string[]) => Promise<StateMap>
    albums: (ids: string[]) => Promise<StateMap>
    artists: (ids: string[]) => Promise<StateMap>
  }
}

const ids = (items: Array<{ id: string }>): string[] => items.map((item) => item.id)

export async function songs (source: StateSource, tracks: TrackT[]): Promise<SubsonicNode[]> {
  if (tracks.length === 0) return []
  const state = await source.state.tracks(ids(tracks))
  return tracks.map((track) => child(track, state.get(track.id)))
}

// 'id3' for the ID3 methods (getAlbumList2, search3, getArtist ...), 'directory' for the
// folder-style ones (getAlbumList, search2, getMusicDirectory ...).
export async function albums (source: StateSource, list: AlbumT[], style: 'id3' | 'directory'): Promise<SubsonicNode[]> {
  if (list.length === 0) return []
  const state = await source.state.albums(ids(list))
  const write = style === 'id3' ? albumID3 : albumDirectory
  return list.map((album) => write(album, state.get(album.id)))
}

export async function artists (source: StateSource, list: ArtistT[], style: 'id3' | 'directory'): Promise<SubsonicNode[]> {
  if (list.length === 0) return []
  const state = await source.state.artists(ids(list))
  const write = style === 'id3' ? artistID3 : artistDirectory
  return list.map((artist) => write(artist, state.get(artist.id)))
}

// Artists, albums and songs together, as search and the starred lists answer them.
export async function allKinds (source: StateSource, found: { artists: ArtistT[], albums: AlbumT[], tracks: TrackT[] }, style: 'id3' | 'directory'): Promise<SubsonicNode> {
  const [artist, album, song] = await Promise.all([
    artists(source, found.artists, style), albums(source, found.albums, style), songs(source, found.tracks)
  ])
  return { artist, album, song }
}
