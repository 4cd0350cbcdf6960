import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http'
import { Type } from '@sinclair/typebox'
import { errors, IdParams } from '../schemas/common.js'
import { AudioFormat, MusicBrainzIds, ReplayGain, Track } from '../schemas/library.js'
import {
  LibraryCounts, Scan, ScanError, ScanEvent, ScanProgress, ScanStartBody, ScanStatus, ScanWithErrors, SUMMARY_TRACKS
} from '../schemas/scan.js'
import type { PublishedScanEvent } from '../lib/scan/scan-events.js'
import { SseRelay } from '../lib/scan/sse-relay.js'
import { strictBody } from '../lib/strict-body.js'

const HEARTBEAT_MS = 15_000
// Unsent bytes a client may have waiting before it is sent summaries instead of every event:
// a few dozen events, so a reader that keeps up never notices.
const SSE_BUFFER_BYTES = 64 * 1024

const scanRoutes: FastifyPluginAsyncTypebox = async (fastify) => {
  // Track and its parts: track events carry one.
  const schemas = [AudioFormat, ReplayGain, MusicBrainzIds, Track, Scan, ScanError, ScanWithErrors, ScanProgress, LibraryCounts, ScanStatus, ScanEvent]
  for (const schema of schemas) fastify.addSchema(schema)

  fastify.post('/api/scan/start', {
    config: { role: 'admin' },
    schema: {
      tags: ['scan'],
      summary: 'Start a scan of the media folder',
      description: 'Queues a scan and answers 202 with it. Only one scan runs at a time: while one is queued or ' +
        'running, this returns that scan instead of starting another. The optional JSON body carries the app\'s scan ' +
        'settings (size limits, parallelism, watch mode); a wrong type or an unknown property is a 400 naming it. ' +
        '503 when the job queue (Redis) is down.',
      body: ScanStartBody,
      response: { 202: Type.Ref(Scan), ...errors(400, 401, 415, 503) }
    },
    // The route has only a body to validate.
    validatorCompiler: () => strictBody(ScanStartBody),
    preValidation: async (request) => {
      if (request.body === undefined || request.body === null) request.body = {}
    }
  }, async (request, reply) => {
    const { watchFolders, ...options } = request.body
    const { scan } = await fastify.scanner.start(options)
    // Not awaited: on a large library the watcher takes a while to read the folder tree.
    if (watchFolders === true) void fastify.scanner.watch()
    return reply.code(202).send(scan)
  })

  fastify.get('/api/scan/status', {
    schema: {
      tags: ['scan'],
      summary: 'The latest scan, its progress and library counts',
      description: '`scan` is the most recent scan (running or finished), null before the first one.',
      response: { 200: Type.Ref(ScanStatus), ...errors(401, 503) }
    }
  }, async () => fastify.scanner.status())

  fastify.get('/api/scans/:id', {
    schema: {
      tags: ['scan'],
      summary: 'One scan with the files it could not index',
      description: 'Each error names a library-relative path and why it failed or was skipped.',
      params: IdParams,
      response: { 200: Type.Ref(ScanWithErrors), ...errors(400, 401, 404, 503) }
    }
  }, async (request) => {
    const scan = await fastify.scanner.get(request.params.id)
    if (scan === null) throw fastify.httpErrors.notFound(`No scan with id ${request.params.id}`)
    return scan
  })

  // Event streams never end by themselves; a closing server ends them.
  const open = new Set<ServerResponse>()
  fastify.addHook('preClose', async () => {
    for (const res of open) res.end()
  })
  const { sseMaxClients, sendTimeoutMs } = fastify.config
  // Streams counted from the request on, so clients racing in cannot overshoot the cap.
  let clients = 0

  fastify.get('/api/scan/events', {
    schema: {
      tags: ['scan'],
      summary: 'Live scan events (Server-Sent Events)',
      description: 'A text/event-stream of unnamed messages (only `data:` lines, so EventSource.onmessage ' +
        'receives them). Each carries JSON with `type`: `scan:start`, `scan:progress` (a few per second at most), ' +
        '`track:indexed` (with `track`, a Track), `scan:complete` (with `stats`) or `scan:error` (with `message`). ' +
        'Events from scans run by any process arrive here. A `: ping` comment line keeps idle proxies open. ' +
        `A client that reads more slowly than events come is sent less: once ${SSE_BUFFER_BYTES / 1024} KiB wait ` +
        'unread, further track:indexed events are folded into one `tracks:indexed` message (`scanId`, `count`, and ' +
        `\`tracks\`, the latest ${SUMMARY_TRACKS}), only the latest scan:progress is kept, and both are sent once it has ` +
        'caught up; scan:start, scan:complete and scan:error always arrive, in order. A client that stays that far ' +
        'behind for SEND_TIMEOUT_MS is disconnected. At most SSE_MAX_CLIENTS streams are open at once; beyond that, 503.',
      produces: ['text/event-stream'],
      response: {
        200: { description: 'The event stream', content: { 'text/event-stream': { schema: Type.Ref(ScanEvent) } } },
        ...errors(401, 503)
      }
    }
  }, async (request, reply) => {
    // A HEAD gets the stream's headers and no stream: it would never end, and would hold a slot.
    // (The documented schema is that of one event's data, which an empty body is not: hence the cast.)
    if (request.method === 'HEAD') {
      return await reply.header('content-type', 'text/event-stream; charset=utf-8').header('cache-control', 'no-cache').send('' as never)
    }
    if (clients >= sseMaxClients) {
      reply.header('retry-after', '30')
      throw Object.assign(
        fastify.httpErrors.serviceUnavailable(`Too many event streams are open (at most ${sseMaxClients}); try again later`),
        { code: 'SSE_CLIENTS_FULL', expose: true })
    }
    clients++
    let relay: SseRelay | null = null
    const pending: PublishedScanEvent[] = []
    const deliver = (event: PublishedScanEvent): void => {
      if (relay === null) pending.push(event)
      else relay.send(event)
    }
    let unsubscribe: () => void
    try {
      unsubscribe = await fastify.scanEvents.subscribe(deliver)
    } catch (err) {
      clients--
      throw err
    }

    // Headers set on the reply by hooks (CORS) are not written by a hijacked reply: carry them.
    const hookHeaders = reply.getHeaders() as OutgoingHttpHeaders
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, {
      ...hookHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no'
    })
    res.write(': connected\n\n')
    relay = new SseRelay(res, {
      maxBufferedBytes: SSE_BUFFER_BYTES,
      maxLagMs: sendTimeoutMs,
      onLagging: () => {
        request.log.info({ buffered: res.writableLength }, 'event stream client too far behind; disconnecting')
        res.destroy()
      }
    })
    for (const event of pending.splice(0)) relay.send(event)
    open.add(res)
    const heartbeat = setInterval(() => relay?.ping(), HEARTBEAT_MS)
    let cleaned = false
    const cleanup = (): void => {
      if (cleaned) return
      cleaned = true
      clients--
      clearInterval(heartbeat)
      unsubscribe()
      relay?.close()
      open.delete(res)
    }
    request.raw.once('close', cleanup)
    res.once('close', cleanup)
  })
}

export default scanRoutes
