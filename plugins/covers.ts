// Cover art as every API hands it out (/api/cover, Subsonic's getCoverArt): one cover cache for
// the process (one disk cap, one set of extracted files, one extraction per cover whoever
// asks) and one way of answering with it.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import fresh from 'fresh'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { CoverCache } from '../lib/cover/cover-cache.js'

export interface Covers {
  // The album's cover, resized to the size step at least `size` (the original above the last),
  // with its validators; a 304 when the client's copy is current. null: there is no cover to
  // send (no source, the file is gone, it holds no image), and nothing was sent.
  send: (albumId: string, coverSource: string | null, size: number | undefined, request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | null>
}

declare module 'fastify' {
  interface FastifyInstance {
    covers: Covers
  }
}

// Shared caches may keep a cover only when the service is open; once a key guards the library,
// only the client that fetched it may (MEDIA_ACCESS=open included: the owner chose a key).
const cacheControl = (keyed: boolean): string => `${keyed ? 'private' : 'public'}, max-age=86400`

export default fp(async (fastify) => {
  const cache = new CoverCache(
    async (path) => await fastify.pathGuard.open(path, fastify.log),
    join(fastify.config.dataDir, 'covers'),
    fastify.config.coverCacheMb * 1024 * 1024)

  async function send (albumId: string, coverSource: string | null, size: number | undefined, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | null> {
    const image = await cache.get(albumId, coverSource, size)
    if (image === null) return null
    // A shared cache must not hand a keyed image to someone without the key.
    const keyed = fastify.config.apiKey !== null || await fastify.users.hasUsers()
    reply.header('ETag', image.etag).header('Cache-Control', cacheControl(keyed))
    if (fresh(request.headers, { etag: image.etag })) return reply.code(304).send()
    return reply.type(image.contentType).send(image.body)
  }

  fastify.decorate('covers', { send } satisfies Covers)
}, { name: 'covers', dependencies: ['config', 'path-guard', 'users'], fastify: '5.x' })
