// The library service (lib/library/library-service.ts), built once on the app's database with
// its own cache of list totals and positions.
import fp from 'fastify-plugin'
import { ListCache } from '../lib/db/list-cache.js'
import { createLibrary, type Library } from '../lib/library/library-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    library: Library
  }
}

export default fp(async (fastify) => {
  fastify.decorate('library', createLibrary({ db: fastify.pg, listCache: new ListCache() }))
}, { name: 'library', dependencies: ['db'], fastify: '5.x' })
