import fp from 'fastify-plugin'
import { errorBody } from '../lib/error-body.js'
import { mayCall, type Caller, type RouteRole } from '../lib/users/caller.js'

declare module 'fastify' {
  interface FastifyContextConfig {
    // Answers without a key. Read by auth and by the OpenAPI document; every other route, the
    // not-found handler included, needs one once anyone has signed up or API_KEY is set.
    public?: boolean
    // What the route needs beyond a valid key (lib/users/caller.ts): absent means any person.
    role?: RouteRole
    // A media route (audio or cover) whose path parameter of this name holds the id. With
    // MEDIA_ACCESS=open it answers GET/HEAD without the key when that value is a UUID.
    mediaIdParam?: string
  }
  interface FastifyRequest {
    // Who made the request; null on public routes and keyless open media requests.
    caller: Caller | null
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

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
  const mediaOpen = fastify.config.mediaAccess === 'open'
  fastify.decorateRequest('caller', null)

  fastify.addHook('onRequest', async (request, reply) => {
    const route = request.routeOptions.config
    if (route.public === true) return
    const caller = await fastify.users.callerFor(presentedKey(request.headers.authorization, request.url))
    if (caller === null) {
      if (mediaOpen && route.mediaIdParam !== undefined && (request.method === 'GET' || request.method === 'HEAD')) {
        const id = (request.params as Record<string, unknown> | undefined)?.[route.mediaIdParam]
        if (typeof id === 'string' && UUID.test(id)) return
      }
      reply.header('WWW-Authenticate', 'Bearer realm="sonantica"')
      return reply.code(401).send(UNAUTHORIZED)
    }
    if (!mayCall(caller, route.role)) {
      const needs = route.role === 'analysis' ? 'an admin or a worker key' : route.role === 'admin' ? 'an admin' : 'a person\'s key, not a worker key'
      return reply.code(403).send(errorBody(403, `This needs ${needs}`))
    }
    request.caller = caller
  })
}, { name: 'auth', dependencies: ['config', 'users'], fastify: '5.x' })
