// Operations: the readers behind /metrics and the admin status (lib/ops), and the hooks that
// count what passes through the server: every request by its route pattern, audio bodies by
// the bytes their sockets took, and the open scan event streams.
import type { ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import fp from 'fastify-plugin'
import type { Ops } from '../lib/ops/ops-service.js'
import { processOps } from './process-ops.js'
import { createMetrics, type Metrics } from '../lib/ops/metrics.js'
import { VERSION } from '../lib/version.js'

declare module 'fastify' {
  interface FastifyInstance {
    ops: Ops
    metrics: Metrics
  }
}

// The routes whose bodies are audio: the REST stream routes and Subsonic's stream and download.
const STREAM_ROUTE = /^\/(?:api\/)?stream\/|^\/rest\/(?:stream|download)(?:\.view)?$/
const EVENTS_ROUTE = '/api/scan/events'

// Bytes the socket took for this response's body: what it had written before the headers,
// and the headers themselves, taken off. (A keep-alive socket carries earlier responses too.)
// The socket is the one held at onSend: a finished response lets go of its own.
function bodyBytes (res: ServerResponse, socket: Socket, socketBefore: number): number {
  const header = (res as unknown as { _header?: string | null })._header
  const headerBytes = typeof header === 'string' ? Buffer.byteLength(header, 'latin1') : 0
  return socket.bytesWritten - socketBefore - headerBytes
}

export default fp(async (fastify) => {
  const { transcoding, responseCache, wholeLists } = fastify
  const ops = processOps(fastify, {
    transcoder: transcoding.transcoder,
    caches: () => ({
      response: { entries: responseCache.size, bytes: responseCache.storedBytes },
      wholeLists: { entries: wholeLists.cache.size, bytes: wholeLists.cache.storedBytes },
      transcodes: { entries: transcoding.cache.count, bytes: transcoding.cache.size }
    }),
    responseCacheLookups: () => ({ hits: responseCache.hits, misses: responseCache.misses })
  })
  const metrics = createMetrics(ops, { scans: true, http: true, version: VERSION })
  fastify.decorate('ops', ops)
  fastify.decorate('metrics', metrics)

  fastify.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.routeOptions.url, request.method, reply.statusCode, reply.elapsedTime / 1000)
  })

  // Headers are not written yet when onSend runs: the socket's count now is where this body starts.
  // A listener that hung up while the answer was being made (a reset before the file was even
  // opened) has a response already closed: its 'close' has gone by and would never come again,
  // so such an answer is no stream at all, as nothing of it will be sent. Any other response
  // closes later, once, whether it finished or its socket went; `end` runs on that one close.
  fastify.addHook('onSend', async (request, reply, payload) => {
    if (request.method !== 'GET' || !STREAM_ROUTE.test(request.routeOptions.url ?? '')) return payload
    const type = reply.getHeader('content-type')
    if (typeof type !== 'string' || !type.startsWith('audio/')) return payload
    const res = reply.raw
    const socket = res.socket
    if (socket === null || res.destroyed || socket.destroyed) return payload
    const before = socket.bytesWritten
    const done = metrics.streamStarted()
    let ended = false
    const end = (): void => {
      if (ended) return
      ended = true
      done(bodyBytes(res, socket, before))
    }
    res.once('close', end)
    return payload
  })

  // After auth: a refused request never held a stream.
  fastify.addHook('preHandler', async (request, reply) => {
    if (request.method !== 'GET' || request.routeOptions.url !== EVENTS_ROUTE) return
    metrics.sseOpened()
    reply.raw.once('close', () => { metrics.sseClosed() })
  })
}, { name: 'ops', dependencies: ['config', 'db', 'redis', 'queue', 'analysis', 'scanner', 'transcoder', 'response-cache', 'whole-lists'], fastify: '5.x' })
