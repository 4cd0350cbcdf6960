// The library service (lib/library/library-service.ts), built once on the app's database with
// its own cache of list totals and positions, and the view of it each request's caller has.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { ListCache } from '../lib/db/list-cache.js'
import { createLibrary, type Library, type LibraryView } from '../lib/library/library-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    library: Library
    // The library as the request's caller sees it: their own favourites, ratings and plays.
    libraryFor: (request: FastifyRequest) => LibraryView
  }
}

export default fp(async (fastify) => {
  const library = createLibrary({ db: fastify.pg, listCache: new ListCache() })
  fastify.decorate('library', library)
  fastify.decorate('libraryFor', (request: FastifyRequest): LibraryView => {
    // Auth gives every route that is not public a caller; only media routes may answer without
    // one (MEDIA_ACCESS=open), and they show no user's state. A route that gets here without a
    // caller is a mistake in the route, not the client's: a 500, never another user's view.
    if (request.caller === null) throw new Error(`${request.routeOptions.url ?? request.url} reads the library without a caller`)
    return library.as(request.caller.userId)
  })
}, { name: 'library', dependencies: ['db', 'auth'], fastify: '5.x' })
