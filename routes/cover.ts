import { join } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import fresh from 'fresh'
import { NotModified, errors } from '../schemas/common.js'
import { CoverImage, CoverParams, CoverQuery } from '../schemas/cover.js'
import { canonicalAlbumId, CoverCache } from '../lib/cover/cover-cache.js'

// Shared caches may keep a cover only when the service is open; once a key guards the library,
// only the client that fetched it may (MEDIA_ACCESS=open included: the owner chose a key).
const cacheControl = (keyed: boolean): string => `${keyed ? 'private' : 'public'}, max-age=86400`

const cover: FastifyPluginAsyncTypebox = async (fastify) => {
  const covers = new CoverCache(
    async (path) => await fastify.pathGuard.locate(path, fastify.log),
    join(fastify.config.dataDir, 'covers'),
    fastify.config.coverCacheMb * 1024 * 1024)

  fastify.get('/api/cover/:albumId', {
    config: { mediaIdParam: 'albumId' },
    schema: {
      tags: ['cover'],
      summary: 'An album\'s cover art',
      description: 'The picture embedded in the album\'s files, else its folder image (cover.jpg, folder.png, ...). ' +
        'Cached on the server and by clients (ETag; Cache-Control: private once the service needs keys); optionally resized to a few fixed sizes ' +
        '(see `size`). The server keeps at most COVER_CACHE_MB of covers on disk, dropping the least recently used. ' +
        'With MEDIA_ACCESS=open it needs no key.',
      params: CoverParams,
      querystring: CoverQuery,
      response: {
        200: { description: 'The image', content: { 'image/*': { schema: CoverImage } } },
        304: NotModified,
        ...errors(400, 404, 503)
      }
    }
  }, async (request, reply) => {
    const albumId = canonicalAlbumId(request.params.albumId)
    const album = await fastify.library.coverSource(albumId)
    if (album === null) throw fastify.httpErrors.notFound(`Album ${albumId} not found`)
    const image = await covers.get(albumId, album.coverSource, request.query.size)
    if (image === null) throw fastify.httpErrors.notFound(`Album ${albumId} has no cover art`)
    // A shared cache must not hand a keyed image to someone without the key.
    const keyed = fastify.config.apiKey !== null || await fastify.users.hasUsers()
    reply.header('ETag', image.etag).header('Cache-Control', cacheControl(keyed))
    if (fresh(request.headers, { etag: image.etag })) return reply.code(304).send()
    return reply.type(image.contentType).send(image.body)
  })
}

export default cover
