// Once the server listens, one line tells the person who started it what is running
// (lib/logging/startup-summary.ts). Apps built for tests never listen, and never write it.
import fp from 'fastify-plugin'
import { startupSummary } from '../lib/logging/startup-summary.js'
import { libraryCounts } from '../lib/library/stats-repository.js'

export default fp(async (fastify) => {
  fastify.addHook('onListen', async () => {
    // A database that fails here only blanks a field: the line is still written.
    const [tracks, usersExist] = await Promise.all([
      libraryCounts(fastify.pg).then((counts) => counts.tracks, () => null),
      fastify.users.hasUsers().then((exists) => exists, () => null)
    ])
    const { summary, msg } = startupSummary({ config: fastify.config, address: fastify.listeningOrigin, tracks, usersExist })
    fastify.log.info({ summary }, msg)
  })
}, { name: 'startup-summary', dependencies: ['config', 'db', 'users'], fastify: '5.x' })
