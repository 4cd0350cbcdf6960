// Browsing methods: the artist index (ID3 and folder style), one artist, album or song, the
// folder view of artists and albums, genres, and the info methods this server has no outside
// source for (valid empty answers for what exists, 70 for what does not).
import type { FastifyPluginAsync } from 'fastify'
import { method, type Call } from './method.js'
import type { LibraryView } from '../../lib/library/library-service.js'
import type { AlbumT, ArtistT, TrackT } from '../../schemas/library.js'
import type { SubsonicNode } from '../../lib/subsonic/response.js'
import { notFound } from '../../lib/subsonic/errors.js'
import { IGNORED_ARTICLES, artistIndex } from '../../lib/subsonic/indexes.js'
import { idParam } from '../../lib/subsonic/list-params.js'
import { albums, artists, songs } from '../../lib/subsonic/with-state.js'

async function artistOf (library: LibraryView, id: string): Promise<ArtistT> {
  const artist = await library.artists.byId(id)
  if (artist === null) throw notFound('Artist')
  return artist
}

async function albumOf (library: LibraryView, id: string): Promise<AlbumT> {
  const album = await library.albums.byId(id)
  if (album === null) throw notFound('Album')
  return album
}

// The lists behind an artist and an album, whole: their counts are their sizes.
const albumsOf = async (library: LibraryView, artist: ArtistT): Promise<AlbumT[]> =>
  (await library.artists.albums(artist.id, { limit: artist.albumCount, offset: 0 }))?.rows ?? []
const tracksOf = async (library: LibraryView, album: AlbumT): Promise<TrackT[]> =>
  (await library.albums.tracks(album.id, { limit: album.trackCount, offset: 0 }))?.rows ?? []

// A folder's own fields as Subsonic's Directory has them, taken from its node.
const directoryFields = (node: SubsonicNode): SubsonicNode =>
  ({ starred: node.starred, userRating: node.userRating, playCount: node.playCount })

const browsing: FastifyPluginAsync = async (fastify) => {
  // musicFolderId is accepted and needs nothing: there is one folder.
  method(fastify, 'getArtists', async ({ library }) => ({
    artists: { ignoredArticles: IGNORED_ARTICLES, index: artistIndex(await artists(library, await library.artists.all(), 'id3')) }
  }))

  method(fastify, 'getIndexes', async ({ params, library }) => {
    const lastModified = (await library.changedAt()).getTime()
    const since = params.int('ifModifiedSince', { min: 0, max: Number.MAX_SAFE_INTEGER })
    // Nothing changed since the client's copy: the index is left out, as Subsonic does.
    if (since !== undefined && lastModified <= since) return { indexes: { lastModified, ignoredArticles: IGNORED_ARTICLES } }
    const index = artistIndex(await artists(library, await library.artists.all(), 'directory'))
    return { indexes: { lastModified, ignoredArticles: IGNORED_ARTICLES, index } }
  })

  method(fastify, 'getArtist', async ({ params, library }) => {
    const artist = await artistOf(library, idParam(params, 'Artist'))
    const [node] = await artists(library, [artist], 'id3')
    return { artist: { ...node, album: await albums(library, await albumsOf(library, artist), 'id3') } }
  })

  method(fastify, 'getAlbum', async ({ params, library }) => {
    const album = await albumOf(library, idParam(params, 'Album'))
    const [node] = await albums(library, [album], 'id3')
    return { album: { ...node, song: await songs(library, await tracksOf(library, album)) } }
  })

  method(fastify, 'getSong', async ({ params, library }) => {
    const track = await library.tracks.byId(idParam(params, 'Song'))
    if (track === null) throw notFound('Song')
    const [song] = await songs(library, [track])
    return { song }
  })

  // Artists are the top folders, their albums the folders inside, and songs the files.
  method(fastify, 'getMusicDirectory', async ({ params, library }) => {
    const id = idParam(params, 'Directory')
    const artist = await library.artists.byId(id)
    if (artist !== null) {
      const [node] = await artists(library, [artist], 'directory')
      const child = await albums(library, await albumsOf(library, artist), 'directory')
      return { directory: { id, name: artist.name, ...directoryFields(node), child } }
    }
    const album = await library.albums.byId(id)
    if (album === null) throw notFound('Directory')
    const [node] = await albums(library, [album], 'directory')
    const child = await songs(library, await tracksOf(library, album))
    return { directory: { id, parent: album.artistId, name: album.title, ...directoryFields(node), child } }
  })

  method(fastify, 'getGenres', async ({ library }) => ({
    genres: { genre: (await library.genres()).map((g) => ({ songCount: g.songCount, albumCount: g.albumCount, value: g.name })) }
  }))

  // Biographies, similar artists and top songs come from outside sources (Last.fm) that this
  // server does not ask: what exists gets an empty answer, which clients show as "nothing known".
  const artistInfo = async ({ params, library }: Call): Promise<SubsonicNode> => {
    await artistOf(library, idParam(params, 'Artist'))
    return {}
  }
  method(fastify, 'getArtistInfo', async (call) => ({ artistInfo: await artistInfo(call) }))
  method(fastify, 'getArtistInfo2', async (call) => ({ artistInfo2: await artistInfo(call) }))
  const albumInfo = async ({ params, library }: Call): Promise<SubsonicNode> => {
    await albumOf(library, idParam(params, 'Album'))
    return { albumInfo: {} }
  }
  method(fastify, 'getAlbumInfo', albumInfo)
  method(fastify, 'getAlbumInfo2', albumInfo)
  method(fastify, 'getTopSongs', async ({ params }) => {
    params.required('artist')
    return { topSongs: { song: [] } }
  })
  // getSimilarSongs takes an artist, album or song; getSimilarSongs2 an artist.
  method(fastify, 'getSimilarSongs', async ({ params, library }) => {
    const id = idParam(params, 'Item')
    const found = await library.artists.byId(id) ?? await library.albums.byId(id) ?? await library.tracks.byId(id)
    if (found === null) throw notFound('Item')
    return { similarSongs: { song: [] } }
  })
  method(fastify, 'getSimilarSongs2', async ({ params, library }) => {
    await artistOf(library, idParam(params, 'Artist'))
    return { similarSongs2: { song: [] } }
  })
}

export default browsing
