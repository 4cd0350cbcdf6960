import { closeSync, createReadStream } from 'node:fs'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../schemas/common.js'
import {
  StreamIdParams, StreamNotModified, StreamPartial, StreamPathParams, StreamQuery, StreamWhole
} from '../schemas/stream.js'
import { findStreamTarget, noteChangedSize, StreamPathCache, type StreamTarget } from '../lib/stream/track-lookup.js'
import { audioContentType } from '../lib/mime.js'
import { planResponse } from '../lib/stream/response-plan.js'
import { readRange, SMALL_RANGE_BYTES, offloadPath } from '../lib/stream/file-body.js'
import type { GuardedFile } from '../lib/path-guard.js'
import { errorBody } from '../lib/error-body.js'

// How long a track row found for a stream URL is reused (see StreamPathCache).
const LOOKUP_TTL_MS = 2000

const NOT_FOUND = errorBody(404, 'Track not found')
const PRECONDITION_FAILED = errorBody(412, 'The file has changed since the validator you sent (If-Match / If-Unmodified-Since)')

const DESCRIPTION = 'Streams a track\'s audio with HTTP byte ranges (RFC 9110). No Range: 200 with the ' +
  'whole file. One range (`bytes=0-99`, `bytes=100-`, `bytes=-500`): 206 with `Content-Range`. ' +
  'Several ranges: 200 with the whole file (no multipart). A malformed Range header is ignored ' +
  '(200). A range past the end: 416 with `Content-Range: bytes */SIZE`. `If-Range` (ETag or date) ' +
  'that no longer matches: 200 with the whole file. `If-None-Match` / `If-Modified-Since`: 304. ' +
  '`If-Match` / `If-Unmodified-Since` that the current file fails (a resumed download of a changed file): 412. ' +
  'HEAD answers the same headers without a body. The file is resolved inside the media root on ' +
  'every request and its current size is used; an indexed file that is gone, or a path that ' +
  'would leave the media root, is a 404. With an API key set, pass it as `Authorization: Bearer` ' +
  'or `?api_key=`; with MEDIA_ACCESS=open a track id (a UUID) needs no key, a file path still does.'

const response = {
  200: StreamWhole,
  206: StreamPartial,
  304: StreamNotModified,
  ...errors(400, 401, 404, 412, 416, 503)
}

// Closes the descriptor unless a stream has taken it over (fd set to -1). Closing a read-only
// descriptor of a regular file does no I/O, so it is done synchronously.
function release (file: GuardedFile): void {
  if (file.fd < 0) return
  closeSync(file.fd)
  file.fd = -1
}

const stream: FastifyPluginAsyncTypebox = async (fastify) => {
  const { streamOffload, streamOffloadPrefix } = fastify.config

  const paths = new StreamPathCache<StreamTarget>(LOOKUP_TTL_MS, 10_000)
  const lookup = async (key: string): Promise<StreamTarget | null> => paths.get(key, async (k) => findStreamTarget(fastify.pg, k))

  async function serve (key: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const target = await lookup(key)
    if (target === null) return reply.code(404).send(NOT_FOUND)
    const { filePath } = target
    const file = await fastify.pathGuard.open(filePath, request.log)
    if (file === null) return reply.code(404).send(NOT_FOUND)
    try {
      if (file.stats.size !== target.fileSize) await noticeChangedSize(target, file.stats.size, request)
      return await answer(file, filePath, request, reply)
    } catch (err) {
      release(file)
      throw err
    }
  }

  // The response already uses the file's current size; the index learns it too, so the track's
  // fileSize stops lying before the next scan. Not worth failing a stream over.
  async function noticeChangedSize (target: StreamTarget, size: number, request: FastifyRequest): Promise<void> {
    // The cached row is shared by concurrent requests: one update is enough.
    target.fileSize = size
    try {
      await noteChangedSize(fastify.pg, target.filePath, size)
    } catch (err) {
      request.log.warn({ err, path: target.filePath }, 'could not record a changed file size')
    }
  }

  async function answer (file: GuardedFile, filePath: string, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const contentType = audioContentType(filePath)

    if (streamOffload === 'x-accel') {
      release(file)
      return reply.code(200)
        .header('content-type', contentType)
        .header('x-accel-redirect', offloadPath(streamOffloadPrefix, file.relativePath))
        .send()
    }

    const plan = planResponse(request.headers, { stats: file.stats, contentType })
    reply.code(plan.status).headers(plan.headers)

    if (plan.status === 412) {
      release(file)
      return reply.type('application/json; charset=utf-8').send(PRECONDITION_FAILED)
    }
    if (plan.status === 304 || plan.status === 416 || request.method === 'HEAD' || plan.length === 0) {
      release(file)
      if (plan.status !== 416) return reply.send()
      return reply.type('application/json; charset=utf-8').send(errorBody(416, `The range is outside the file (${file.stats.size} bytes)`))
    }

    if (plan.length <= SMALL_RANGE_BYTES) {
      const bytes = await readRange(file.fd, plan.start, plan.length)
      release(file)
      // Truncated since we stat'ed it: never send a body shorter than its Content-Length.
      if (bytes === null) {
        reply.removeHeader('content-range')
        reply.removeHeader('content-length')
        return reply.code(404).type('application/json; charset=utf-8').send(NOT_FOUND)
      }
      return reply.send(bytes)
    }

    // autoClose: the descriptor is released when the body ends or the client goes away.
    const body = createReadStream('', { fd: file.fd, start: plan.start, end: plan.end, autoClose: true })
    file.fd = -1
    // A file cut short while it is sent ends the body early. Ending the response then would leave
    // the client waiting for bytes the Content-Length promised, on a connection it may reuse:
    // the connection is closed instead, which every client reads as a failed download.
    body.once('end', () => {
      if (body.bytesRead < plan.length) reply.raw.destroy()
    })
    return reply.send(body)
  }

  for (const prefix of ['/api/stream', '/stream']) {
    const alias = prefix === '/stream'
    fastify.route({
      method: ['GET', 'HEAD'],
      url: `${prefix}/:id`,
      config: { mediaIdParam: 'id' },
      schema: {
        // The router needs this route for one-segment values, but to a client it is the same
        // operation as the wildcard below, which the document describes; OpenAPI cannot tell
        // /stream/{id} from /stream/{filePath}.
        hide: true,
        tags: ['stream'],
        summary: alias ? 'Stream a track (alias of /api/stream/{id})' : 'Stream a track by id',
        description: DESCRIPTION,
        params: StreamIdParams,
        querystring: StreamQuery,
        produces: ['audio/*', 'application/json'],
        response
      },
      handler: async (request, reply) => serve(request.params.id, request, reply)
    })
    fastify.route({
      method: ['GET', 'HEAD'],
      url: `${prefix}/*`,
      // Opened by MEDIA_ACCESS=open only when the whole value is a UUID (a track id); a file
      // path never is one, so streaming by path keeps needing the key.
      config: { mediaIdParam: '*' },
      schema: {
        tags: ['stream'],
        summary: alias ? 'Stream a track by id or file path (alias of /api/stream)' : 'Stream a track by id or by its library-relative file path',
        description: `${DESCRIPTION} A UUID is looked up as a track id first; any other value is served only when that exact library-relative path is an indexed track.`,
        params: StreamPathParams,
        querystring: StreamQuery,
        produces: ['audio/*', 'application/json'],
        response
      },
      handler: async (request, reply) => serve(request.params['*'], request, reply)
    })
  }
}

export default stream
