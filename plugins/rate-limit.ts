// Limits on the routes that check a password, so guessing one costs a guesser days, not seconds.
// Each limit counts attempts, right or wrong, in a window per process; both must allow one.
import fp from 'fastify-plugin'
import rateLimit from '@fastify/rate-limit'
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify'
import { errorBody } from '../lib/error-body.js'

declare module 'fastify' {
  interface FastifyInstance {
    // The preHandler of a route that takes { username, password } (or checks the caller's).
    passwordLimit: preHandlerAsyncHookHandler
  }
}

export const PASSWORD_LIMITS = {
  perAddress: { max: 30, timeWindow: 10 * 60_000 },
  perUsername: { max: 10, timeWindow: 10 * 60_000 }
} as const

// Counters per process; an attacker who could push a locked account's counter out of a small
// store by trying thousands of other names would get fresh guesses.
const REMEMBERED_COUNTERS = 100_000

export default fp(async (fastify) => {
  await fastify.register(rateLimit, { global: false })
  // createRateLimit rather than rateLimit(): the plugin's own handlers run only once per request,
  // so a second limit on the same route would never be checked.
  // The account tried (by the name in the body, as the database resolves it), or for a signed-in
  // caller changing their password, who they are.
  const accountOf = async (request: FastifyRequest): Promise<string> => {
    const body = request.body as { username?: unknown } | undefined
    if (typeof body?.username === 'string') return await fastify.users.attemptKey(body.username)
    return request.caller === null ? '' : `user:${request.caller.userId}`
  }
  // The store of each limit is sized by its own `cache` option, which the plugin's types omit.
  type LimitOptions = NonNullable<Parameters<typeof fastify.createRateLimit>[0]>
  const sized = (options: LimitOptions): LimitOptions => ({ ...options, cache: REMEMBERED_COUNTERS } as LimitOptions)
  const limits = [
    fastify.createRateLimit(sized(PASSWORD_LIMITS.perAddress)),
    fastify.createRateLimit(sized({ ...PASSWORD_LIMITS.perUsername, keyGenerator: accountOf }))
  ]
  const passwordLimit: preHandlerAsyncHookHandler = async (request, reply) => {
    for (const limit of limits) {
      const outcome = await limit(request)
      if (outcome.isAllowed || !outcome.isExceeded) continue
      return await reply.code(429).header('retry-after', outcome.ttlInSeconds)
        .send(errorBody(429, `Too many attempts: try again in ${outcome.ttlInSeconds} s`))
    }
  }
  fastify.decorate('passwordLimit', passwordLimit)
}, { name: 'rate-limit', dependencies: ['auth', 'users'], fastify: '5.x' })
