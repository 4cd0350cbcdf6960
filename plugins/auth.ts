import { createHash, timingSafeEqual } from 'node:crypto'
import fp from 'fastify-plugin'
import { errorBody } from '../lib/error-body.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    // Answers without the API key. Read by auth and by the OpenAPI document; every other route,
    // the not-found handler included, needs the key when API_KEY is set.
    public?: boolean
    // A media route (audio or cover) whose path parameter of this name holds the id. With
    // MEDIA_ACCESS=open it answers GET/HEAD without the key when that value is a UUID.
    mediaIdParam?: string
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

function digest (value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

// Hashing both sides first gives equal-length buffers, so neither the comparison time nor an
// early length check tells a caller how close a guess was.
export function keysMatch (expected: Buffer, given: string): boolean {
  return timingSafeEqual(expected, digest(given))
}

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

const UNAUTHORIZED = errorBody(401, 'A valid API key is required')

// The decision is taken on what the router matched (its route config), never on the spelling of
// the URL: percent-escapes, absolute-form targets and trailing slashes all reach the same route,
// and a request the router matched to nothing is denied like any other protected one.
export default fp(async (fastify) => {
  const { apiKey, mediaAccess } = fastify.config
  if (apiKey === null) return
  const expected = digest(apiKey)
  const mediaOpen = mediaAccess === 'open'

  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config
    if (route.public === true) return
    if (mediaOpen && route.mediaIdParam !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
      const id = (request.params as Record<string, unknown> | undefined)?.[route.mediaIdParam]
      if (typeof id === 'string' && UUID.test(id)) return
    }
    const given = presentedKey(request.headers.authorization, request.url)
    if (given !== null && keysMatch(expected, given)) return
    reply.header('WWW-Authenticate', 'Bearer realm="sonantica"')
    return reply.code(401).send(UNAUTHORIZED)
  })
}, { name: 'auth', dependencies: ['config'], fastify: '5.x' })
