// search3 (ID3) and search2 (folders): artists, albums and songs whose names hold every word of
// the query, each kind its own window. With no words at all they are the whole library, so
// the apps that sync everything (Symfonium, Feishin) page through it with the offsets. Both
// read the library's lists in their default order, which ends in the id: consecutive pages
// neither repeat nor skip an item while the library stays the same.
import type { FastifyPluginAsync } from 'fastify'
import { method, type Call } from './method.js'
import type { SubsonicNode } from '../../lib/subsonic/response.js'
import type { Paged } from '../../lib/db/paged.js'
import { searchWords } from '../../lib/subsonic/search-query.js'
import { windowOffset, windowSize } from '../../lib/subsonic/list-params.js'
import { allKinds } from '../../lib/subsonic/with-state.js'

async function window<T> ({ params }: Call, kind: 'artist' | 'album' | 'song', list: (w: { limit: number, offset: number }) => Promise<Paged<T>>): Promise<T[]> {
  const limit = windowSize(params, `${kind}Count`, 20)
  return limit === 0 ? [] : (await list({ limit, offset: windowOffset(params, `${kind}Offset`) })).rows
}

async function search (call: Call, style: 'id3' | 'directory'): Promise<SubsonicNode> {
  const { library } = call
  const q = searchWords(call.params.string('query'))
  const [foundArtists, foundAlbums, foundTracks] = await Promise.all([
    window(call, 'artist', async (w) => await library.artists.list({ ...w, q })),
    window(call, 'album', async (w) => await library.albums.list({ ...w, q })),
    window(call, 'song', async (w) => await library.tracks.list({ ...w, q }))
  ])
  return await allKinds(library, { artists: foundArtists, albums: foundAlbums, tracks: foundTracks }, style)
}

const searching: FastifyPluginAsync = async (fastify) => {
  method(fastify, 'search3', async (call) => ({ searchResult3: await search(call, 'id3') }))
  method(fastify, 'search2', async (call) => ({ searchResult2: await search(call, 'directory') }))
}

export default searching
