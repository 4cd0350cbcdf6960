import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotModified, errors } from '../schemas/common.js'
import { CoverImage, CoverParams, CoverQuery } from '../schemas/cover.js'
import { canonicalAlbumId } from '../lib/cover/cover-cache.js'

const cover: FastifyPluginAsyncTypebox = async (fastify) => {
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
    const sent = await fastify.covers.send(albumId, album.coverSource, request.query.size, request, reply)
    if (sent === null) throw fastify.httpErrors.notFound(`Album ${albumId} has no cover art`)
    return sent
  })
}

export default cover
