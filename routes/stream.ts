import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { errors } from '../schemas/common.js'
import {
  StreamIdParams, StreamNotModified, StreamPartial, StreamPathParams, StreamQuery, StreamWhole, type StreamQueryT
} from '../schemas/stream.js'
import { errorBody } from '../lib/error-body.js'

const NOT_FOUND = errorBody(404, 'Track not found')

const DESCRIPTION = 'Streams a track\'s audio with HTTP byte ranges (RFC 9110). No Range: 200 with the ' +
  'whole file. One range (`bytes=0-99`, `bytes=100-`, `bytes=-500`): 206 with `Content-Range`. ' +
  'Several ranges: 200 with the whole file (no multipart). A malformed Range header is ignored ' +
  '(200). A range past the end: 416 with `Content-Range: bytes */SIZE`. `If-Range` (ETag or date) ' +
  'that no longer matches: 200 with the whole file. `If-None-Match` / `If-Modified-Since`: 304. ' +
  '`If-Match` / `If-Unmodified-Since` that the current file fails (a resumed download of a changed file): 412. ' +
  'HEAD answers the same headers without a body (and starts no transcode). `format`, `bitrate` and `offset` ' +
  'ask for a transcode (see their descriptions): a source that already fits is served as it is; a user with a ' +
  'maximum bitrate is always held to it. Every transcoder busy: 503 with `Retry-After`; no ffmpeg on the server: ' +
  '503 saying so, while raw streams keep working. The file is resolved inside the media root on ' +
  'every request and its current size is used; an indexed file that is gone, or a path that ' +
  'would leave the media root, is a 404. With an API key set, pass it as `Authorization: Bearer` ' +
  'or `?api_key=`; with MEDIA_ACCESS=open a track id (a UUID) needs no key, a file path still does.'

const response = {
  200: StreamWhole,
  206: StreamPartial,
  304: StreamNotModified,
  ...errors(400, 401, 404, 412, 416, 500, 503)
}

const notFound = (reply: FastifyReply): FastifyReply => reply.code(404).type('application/json; charset=utf-8').send(NOT_FOUND)

const stream: FastifyPluginAsyncTypebox = async (fastify) => {
  const serve = async (key: string, query: StreamQueryT, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const { format, bitrate, offset, estimateContentLength } = query
    if (format === 'raw' && offset !== undefined && offset > 0) {
      return await reply.code(400).send(errorBody(400, 'offset needs a transcode: ask for a format other than raw, or none'))
    }
    return await fastify.audioFiles.send(key, request, reply, { notFound, transcode: { format, bitrate, offset, estimateContentLength } })
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
      handler: async (request, reply) => serve(request.params.id, request.query, request, reply)
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
      handler: async (request, reply) => serve(request.params['*'], request.query, request, reply)
    })
  }
}

export default stream
