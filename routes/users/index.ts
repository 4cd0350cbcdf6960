import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { USER_SCHEMAS } from '../../schemas/users.js'
import auth from './auth.js'
import accounts from './accounts.js'

// Keys under /api/auth, people under /api/users; one set of shared schemas for both.
const users: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const schema of USER_SCHEMAS) fastify.addSchema(schema)
  await fastify.register(auth, { prefix: '/auth' })
  await fastify.register(accounts, { prefix: '/users' })
}

export default users
