// Serves library responses that have not changed since they were last computed (see
// lib/library/response-cache.ts), with an ETag so players can revalidate for a 304. Routes opt
// in with `config: { libraryResponse: true }`.
import type { FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import fresh from 'fresh'
import { ResponseCache, responseKey } from '../lib/library/response-cache.js'

declare module 'fastify' {
  interface FastifyInstance {
    responseCache: ResponseCache
  }
  interface FastifyContextConfig {
    // The response depends only on the caller, the URL and the library's content.
    libraryResponse?: boolean
  }
  interface FastifyRequest {
    // The library version this request's response is computed at, when it may be stored.
    libraryVersion: string | null
  }
}

// Only the validator goes to fresh(), which would treat the request's `Cache-Control: no-cache`
// (sent by fetch() when revalidating) as a reload and never answer 304.
function stillCurrent (request: FastifyRequest, etag: string): boolean {
  return fresh({ 'if-none-match': request.headers['if-none-match'] }, { etag })
}

export default fp(async (fastify) => {
  const cache = new ResponseCache(fastify.config.responseCacheMb * 1024 * 1024)
  fastify.decorate('responseCache', cache)
  if (!cache.enabled) return
  fastify.decorateRequest('libraryVersion', null)

  fastify.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' || request.routeOptions.config.libraryResponse !== true) return
    const version = await fastify.library.version()
    const hit = cache.get(version, responseKey(request.caller?.userId ?? null, request.url))
    if (hit === undefined) {
      request.libraryVersion = version
      return
    }
    reply.header('etag', hit.etag).header('cache-control', 'no-cache')
    if (stillCurrent(request, hit.etag)) return await reply.code(304).send()
    return await reply.type('application/json; charset=utf-8').send(hit.body)
  })

  fastify.addHook('onSend', async (request, reply, payload) => {
    const version = request.libraryVersion
    if (version === null || reply.statusCode !== 200 || typeof payload !== 'string') return payload
    const entry = cache.set(version, responseKey(request.caller?.userId ?? null, request.url), payload)
    reply.header('etag', entry.etag).header('cache-control', 'no-cache')
    if (!stillCurrent(request, entry.etag)) return payload
    reply.code(304)
    return ''
  })
}, { name: 'response-cache', dependencies: ['config', 'db', 'auth', 'library'], fastify: '5.x' })
