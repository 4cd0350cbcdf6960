import fp from 'fastify-plugin'
import type { FastifyReply, FastifyServerOptions } from 'fastify'
import { isDependencyDown } from '../lib/dependency-errors.js'
import { errorBody } from '../lib/error-body.js'
import { ACCOUNT_GONE, isGoneAccount } from '../lib/users/caller.js'

interface FastifyLikeError {
  statusCode?: number
  code?: string
  message: string
  validation?: unknown
  validationContext?: string
  // Set on a deliberate 5xx whose message is written for the client (a capacity limit).
  expose?: boolean
  // A capacity limit that knows when to try again.
  retryAfterSeconds?: number
}

// Errors the router raises before any route or error handler exists (a path parameter longer
// than maxParamLength, a malformed percent-encoding). Fastify's own bodies for them say
// "Bad Request" even for a 414; these keep the one error shape with the real reason phrase.
export const frameworkErrors: NonNullable<FastifyServerOptions['frameworkErrors']> = (error, _request, reply) => {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH'
    ? 'A path segment of the URL is too long'
    : error.message
  void (reply as FastifyReply).code(status).send(errorBody(status, message, error.code))
}

// One error shape for every 4xx/5xx: { statusCode, error, message, code? }. Stack traces and
// driver messages stay in the log.
export default fp(async (fastify) => {
  fastify.setErrorHandler((error: FastifyLikeError, request, reply) => {
    if (isDependencyDown(error)) {
      request.log.warn({ err: error }, 'dependency unavailable')
      return reply.code(503).send(errorBody(503, 'A service the library depends on is unavailable; try again shortly', 'DEPENDENCY_DOWN'))
    }
    if (isGoneAccount(error)) {
      return reply.code(401).header('WWW-Authenticate', 'Bearer realm="sonantica"').send(errorBody(401, ACCOUNT_GONE))
    }
    const status = typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 600
      ? error.statusCode
      : 500
    if (typeof error.retryAfterSeconds === 'number') reply.header('retry-after', String(error.retryAfterSeconds))
    if (status >= 500 && error.expose !== true) {
      request.log.error({ err: error }, 'request failed')
      return reply.code(status).send(errorBody(status, 'Something went wrong on our side'))
    }
    return reply.code(status).send(errorBody(status, error.message, typeof error.code === 'string' ? error.code : undefined))
  })

  fastify.setNotFoundHandler((request, reply) => {
    return reply.code(404).send(errorBody(404, `Route ${request.method} ${request.url.split('?')[0]} not found`))
  })
}, { name: 'errors', fastify: '5.x' })
