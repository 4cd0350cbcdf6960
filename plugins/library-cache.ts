import fp from 'fastify-plugin'
import { ListCache } from '../lib/db/list-cache.js'

declare module 'fastify' {
  interface FastifyInstance {
    // Totals and deep-page positions of library lists, valid until the library changes.
    libraryCache: ListCache
  }
}

export default fp(async (fastify) => {
  fastify.decorate('libraryCache', new ListCache())
}, { name: 'library-cache', dependencies: ['db'], fastify: '5.x' })
