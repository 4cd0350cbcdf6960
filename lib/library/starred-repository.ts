// One user's starred artists, albums and tracks, newest star first (Subsonic's getStarred), in
// the same shapes as every other list of them.
import type { AlbumT, ArtistT, TrackT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import { binder } from '../db/paged.js'
import { ALBUM_COLUMNS, toAlbum, type AlbumRow } from './album-repository.js'
import { ARTIST_COLUMNS, toArtist, type ArtistRow } from './artist-repository.js'
import { toTrack, trackHydrate, type TrackRow } from './track-row.js'

export interface Starred {
  artists: ArtistT[]
  albums: AlbumT[]
  tracks: TrackT[]
}

export async function starredOf (db: Queryable, user: string): Promise<Starred> {
  const trackValues: unknown[] = []
  const tracks = trackHydrate(user)
  const [artists, albums, favourites] = await Promise.all([
    db.query<ArtistRow>(
      `SELECT ${ARTIST_COLUMNS} FROM user_artist_state s JOIN artists a ON a.id = s.artist_id
       WHERE s.user_id = $1::uuid AND s.starred_at IS NOT NULL ORDER BY s.starred_at DESC, a.id DESC`, [user]),
    db.query<AlbumRow>(
      `SELECT ${ALBUM_COLUMNS} FROM user_album_state s JOIN albums al ON al.id = s.album_id
       WHERE s.user_id = $1::uuid AND s.starred_at IS NOT NULL ORDER BY s.starred_at DESC, al.id DESC`, [user]),
    db.query<TrackRow>(
      `SELECT ${tracks.columns} FROM ${tracks.from(binder(trackValues))}
       WHERE st.is_favorite ORDER BY st.starred_at DESC, t.id DESC`, trackValues)
  ])
  return { artists: artists.rows.map(toArtist), albums: albums.rows.map(toAlbum), tracks: favourites.rows.map(toTrack) }
}
