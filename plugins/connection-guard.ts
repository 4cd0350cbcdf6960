import fp from 'fastify-plugin'
import type { Socket } from 'node:net'
import { ConnectionCap, PipelineGate, SendWatchdog, clientAddress } from '../lib/connections.js'
import { errorBody } from '../lib/error-body.js'

// A refused connection gets this and is closed before any HTTP parsing: refusing must cost
// less than serving, or the cap protects nothing.
const REFUSAL_BODY = JSON.stringify(errorBody(503, 'Too many open connections from your address; close some or try again shortly', 'TOO_MANY_CONNECTIONS'))
const REFUSAL = 'HTTP/1.1 503 Service Unavailable\r\n' +
  'content-type: application/json; charset=utf-8\r\n' +
  `content-length: ${Buffer.byteLength(REFUSAL_BODY)}\r\n` +
  'retry-after: 5\r\nconnection: close\r\n\r\n' + REFUSAL_BODY
// A refused socket lingers this long at most for its client to read the answer, and only so
// many linger at once; past that a flood of them is simply closed.
const REFUSAL_LINGER_MS = 1000
const MAX_LINGERING = 16
// Requests one connection may have queued behind the one being answered; browsers send none.
const MAX_PIPELINED = 16

export default fp(async (fastify) => {
  const { requestTimeoutMs, sendTimeoutMs, maxConnectionsPerIp } = fastify.config
  const server = fastify.server

  // Headers and body together must arrive within requestTimeoutMs (408 otherwise), however
  // steadily they dribble in: bodies here are small JSON, never uploads.
  server.headersTimeout = requestTimeoutMs
  server.requestTimeout = requestTimeoutMs
  // Node checks those deadlines on this interval (30 s by default), read when the server starts
  // listening: a few checks per timeout. (A constructor option that @types/node omits.)
  Object.assign(server, { connectionsCheckingInterval: Math.max(25, Math.min(5000, Math.floor(requestTimeoutMs / 4))) })

  const watchdog = new SendWatchdog(sendTimeoutMs, (socket) => {
    fastify.log.info({ client: clientAddress(socket), waiting: socket.writableLength }, 'client stopped reading; closing its connection')
    socket.destroy()
  })
  const cap = new ConnectionCap(maxConnectionsPerIp)
  let lingering = 0

  const refuse = (socket: Socket): void => {
    socket.on('error', () => {})
    if (lingering >= MAX_LINGERING) {
      socket.destroy()
      return
    }
    lingering++
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS)
    timer.unref()
    socket.once('close', () => {
      lingering--
      clearTimeout(timer)
    })
    socket.once('end', () => socket.destroy())
    socket.end(REFUSAL)
    // Whatever the client sends is read and dropped, so its close is noticed.
    socket.resume()
  }

  // The HTTP server's own connection listener (the parser) runs only for admitted sockets.
  const http = server.listeners('connection') as Array<(socket: Socket) => void>
  server.removeAllListeners('connection')
  server.on('connection', (socket: Socket) => {
    if (!cap.admit(socket)) {
      refuse(socket)
      return
    }
    watchdog.watch(socket)
    for (const listener of http) listener.call(server, socket)
  })

  const gate = new PipelineGate(MAX_PIPELINED)
  fastify.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket
    // fastify.inject's stand-in socket is one per request and never pipelines.
    if (typeof socket?.once !== 'function') return
    if (!await gate.enter(socket)) {
      socket.destroy()
      return await reply.hijack()
    }
    let left = false
    const leave = (): void => {
      if (left) return
      left = true
      gate.leave(socket)
    }
    reply.raw.once('finish', leave)
    reply.raw.once('close', leave)
  })

  fastify.addHook('onClose', async () => {
    watchdog.stop()
  })
}, { name: 'connection-guard', dependencies: ['config'], fastify: '5.x' })
