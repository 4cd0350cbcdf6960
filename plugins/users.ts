import fp from 'fastify-plugin'
import { createUsers, type Users } from '../lib/users/user-service.js'

declare module 'fastify' {
  interface FastifyInstance {
    users: Users
  }
}

export default fp(async (fastify) => {
  const { apiKey, adminUsername, adminPassword } = fastify.config
  const users = createUsers({ pool: fastify.pg.pool, legacyKey: apiKey })
  fastify.decorate('users', users)
  if (adminUsername !== null && adminPassword !== null) {
    const made = await users.bootstrapAdmin(adminUsername, adminPassword)
    fastify.log.info({ username: adminUsername }, made
      ? 'first admin created from ADMIN_USERNAME'
      : 'ADMIN_USERNAME ignored: users exist already (their passwords are never changed at start-up)')
  }
}, { name: 'users', dependencies: ['config', 'db'], fastify: '5.x' })
