import { Type } from '@sinclair/typebox'

export const StreamIdParams = Type.Object({
  id: Type.String({
    minLength: 1,
    description: 'A track id (UUID), or a library-relative file path of an indexed track without slashes'
  })
})

export const StreamPathParams = Type.Object({
  '*': Type.String({
    description: 'A track id (UUID), or the library-relative file path of an indexed track, slashes included, raw or percent-encoded'
  })
})

export const StreamQuery = Type.Object({
  api_key: Type.Optional(Type.String({ description: 'The API key, for <audio src> URLs that cannot carry a header' }))
})

const AUDIO = 'audio/*'
const Binary = Type.String({ format: 'binary' })

const cacheHeaders = {
  'Accept-Ranges': { type: 'string', description: 'Always `bytes`' },
  ETag: { type: 'string', description: 'Strong validator derived from the file size and mtime' },
  'Last-Modified': { type: 'string', description: 'The file\'s modification time' },
  'Cache-Control': { type: 'string' }
}

// Route response schemas for the binary statuses. Fastify does not serialise Buffers or streams,
// so these only describe the bytes to the OpenAPI document.
export const StreamWhole = {
  description: 'The whole file (no Range, a malformed Range, several ranges, or an If-Range that ' +
    'no longer matches). With STREAM_OFFLOAD=x-accel: an empty body and `X-Accel-Redirect`.',
  headers: { ...cacheHeaders, 'Content-Length': { type: 'integer' } },
  content: { [AUDIO]: { schema: Binary } }
}

export const StreamPartial = {
  description: 'The one requested byte range',
  headers: { ...cacheHeaders, 'Content-Range': { type: 'string', description: '`bytes START-END/SIZE`' }, 'Content-Length': { type: 'integer' } },
  content: { [AUDIO]: { schema: Binary } }
}

export const StreamNotModified = {
  description: 'The client\'s copy is current (If-None-Match / If-Modified-Since)',
  headers: cacheHeaders,
  type: 'null'
}
