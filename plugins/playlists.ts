import fp from 'fastify-plugin'
import { createPlaylistService, type PlaylistService } from '../lib/playlists/playlist-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    playlists: PlaylistService
  }
}

export default fp(async (fastify) => {
  fastify.decorate('playlists', createPlaylistService(fastify.pg.pool))
}, { name: 'playlists', dependencies: ['db'], fastify: '5.x' })
