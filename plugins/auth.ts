import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

// Hashing both sides first gives equal-length buffers, so neither the comparison time nor an
// early length check tells a caller how close a guess was.
export function keysMatch (expected: Buffer, given: string): boolean {
  return timingSafeEqual(expected, digest(given))
}

const PROTECTED = /^\/(api|stream)(\/|\?|$)/

function presentedKey (authorization: string | undefined, url: string): string | null {
  if (authorization !== undefined) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim())
    return match === null ? '' : match[1]
  }
  const query = url.indexOf('?')
  if (query === -1) return null
  // An <audio src> cannot carry headers, so the key may travel as ?api_key=.
  return new URLSearchParams(url.slice(query + 1)).get('api_key')
}

export default fp(async (fastify) => {
  const { apiKey } = fastify.config
  if (apiKey === null) return
  const expected = digest(apiKey)

  fastify.addHook('onRequest', async (request, reply) => {
    if (!PROTECTED.test(request.url)) return
    const given = presentedKey(request.headers.authorization, request.url)
    if (given !== null && keysMatch(expected, given)) return
    reply.header('WWW-Authenticate', 'Bearer realm="sonantica"')
    return reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'A valid API key is required' })
  })
}, { name: 'auth', dependencies: ['config'], fastify: '5.x' })
