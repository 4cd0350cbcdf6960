// Limits on the routes that check a password, so guessing one costs a guesser days, not seconds.
// Each limit counts attempts, right or wrong, in a window per process.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'

declare module 'fastify' {
  interface FastifyInstance {
    // preHandlers of a route that takes { username, password }: per client address, then per username.
    passwordLimits: preHandlerAsyncHookHandler[]
  }
}

export const PASSWORD_LIMITS = {
  perAddress: { max: 30, timeWindow: 10 * 60_000 },
  perUsername: { max: 10, timeWindow: 10 * 60_000 }
} as const

function usernameOf (request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined
  return typeof body?.username === 'string' ? body.username.toLowerCase() : ''
}

export default fp(async (fastify) => {
  await fastify.register(rateLimit, { global: false })
  fastify.decorate('passwordLimits', [
    fastify.rateLimit({ ...PASSWORD_LIMITS.perAddress, groupId: 'password-address', hook: 'preHandler' }),
    fastify.rateLimit({ ...PASSWORD_LIMITS.perUsername, groupId: 'password-username', hook: 'preHandler', keyGenerator: usernameOf })
  ] as preHandlerAsyncHookHandler[])
}, { name: 'rate-limit', fastify: '5.x' })
