import type { FastifyPluginAsync } from 'fastify'
import { LIBRARY_SCHEMAS } from '../../schemas/library.js'
import { AnalysisBody } from '../../schemas/analysis.js'
import { PLAYLIST_SCHEMAS } from '../../schemas/playlist.js'
import trackRoutes from './tracks.js'
import albumRoutes from './albums.js'
import artistRoutes from './artists.js'
import overviewRoutes from './overview.js'
import playlistRoutes from './playlists.js'

// The library API under one prefix; its shared schemas live in this context.
const library: FastifyPluginAsync = async (fastify) => {
  for (const schema of [...LIBRARY_SCHEMAS, AnalysisBody, ...PLAYLIST_SCHEMAS]) fastify.addSchema(schema)
  await fastify.register(trackRoutes)
  await fastify.register(albumRoutes)
  await fastify.register(artistRoutes)
  await fastify.register(overviewRoutes)
  await fastify.register(playlistRoutes)
}

export default library
