// List methods: albums picked by kind (newest, most played, a year range, a genre ...), in the
// ID3 and the folder style, and songs at random or of one genre.
import type { FastifyPluginAsync } from 'fastify'
import { method, type Call } from './method.js'
import type { AlbumT } from '../../schemas/library.js'
import { albumListRequest, randomSongsRequest, windowOffset, windowSize } from '../../lib/subsonic/list-params.js'
import { albums, songs } from '../../lib/subsonic/with-state.js'

async function pickAlbums ({ params, library }: Call): Promise<AlbumT[]> {
  const { type, ...window } = albumListRequest(params)
  return window.size === 0 ? [] : await library.albums.pick(type, window)
}

const lists: FastifyPluginAsync = async (fastify) => {
  method(fastify, 'getAlbumList2', async (call) => ({ albumList2: { album: await albums(call.library, await pickAlbums(call), 'id3') } }))
  method(fastify, 'getAlbumList', async (call) => ({ albumList: { album: await albums(call.library, await pickAlbums(call), 'directory') } }))

  method(fastify, 'getRandomSongs', async ({ params, library }) => {
    const request = randomSongsRequest(params)
    const tracks = request.size === 0 ? [] : await library.tracks.random(request)
    return { randomSongs: { song: await songs(library, tracks) } }
  })

  method(fastify, 'getSongsByGenre', async ({ params, library }) => {
    const genre = params.required('genre')
    const limit = windowSize(params, 'count', 10)
    const tracks = limit === 0 ? [] : (await library.tracks.list({ genre, limit, offset: windowOffset(params, 'offset') })).rows
    return { songsByGenre: { song: await songs(library, tracks) } }
  })
}

export default lists
