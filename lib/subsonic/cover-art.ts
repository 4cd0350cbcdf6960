// Which album's cover a getCoverArt id stands for: an album's own, a track's album's, or the
// album whose cover the library picked for an artist (what artistID3 hands out as coverArt).
import type { LibraryView } from '../library/library-service.js'
import { coverOf } from './library-model.js'
import type { CoverKind, CoverRef } from './media-ids.js'

export interface CoverAlbum { albumId: string, coverSource: string | null }

type Finder = (library: LibraryView, id: string) => Promise<string | null | undefined>

const ALBUM_OF: Record<CoverKind, Finder> = {
  album: async (_library, id) => id,
  track: async (library, id) => (await library.tracks.byId(id))?.albumId,
  artist: async (library, id) => {
    const artist = await library.artists.byId(id)
    return artist === null ? null : coverOf(artist)
  }
}

// null: the id names nothing of these kinds. A found album may still have no cover (coverSource null).
export async function coverAlbum (library: LibraryView, ref: CoverRef): Promise<CoverAlbum | null> {
  for (const kind of ref.kinds) {
    const albumId = await ALBUM_OF[kind](library, ref.id)
    if (albumId === null || albumId === undefined) continue
    const album = await library.albums.coverSource(albumId)
    if (album !== null) return { albumId, coverSource: album.coverSource }
  }
  return null
}
