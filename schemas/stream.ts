import { Type, type Static } from '@sinclair/typebox'
import { MAX_BITRATE, MIN_BITRATE, TARGET_FORMATS } from '../lib/transcode/formats.js'

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
  api_key: Type.Optional(Type.String({ description: 'The API key, for <audio src> URLs that cannot carry a header' })),
  format: Type.Optional(Type.Union([...TARGET_FORMATS.map((f) => Type.Literal(f)), Type.Literal('raw')], {
    description: 'Transcode to Opus (in Ogg), MP3, AAC (ADTS) or FLAC; `raw`: the file\'s own bytes. Without it, ' +
      '`bitrate` or `offset` alone transcode to the server\'s default format (TRANSCODE_DEFAULT_FORMAT).'
  })),
  bitrate: Type.Optional(Type.Integer({
    minimum: MIN_BITRATE,
    maximum: MAX_BITRATE,
    description: 'kbps for a lossy format (default TRANSCODE_DEFAULT_BITRATE). With no format, the file is transcoded only when it exceeds this.'
  })),
  offset: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400, description: 'Start this many seconds into the track (a transcode)' })),
  estimateContentLength: Type.Optional(Type.Boolean({
    description: 'Send Content-Length = duration × bitrate / 8 with a live transcode, the body padded or cut to exactly that'
  }))
})

export type StreamQueryT = Static<typeof StreamQuery>

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
    'no longer matches). With STREAM_OFFLOAD=x-accel: an empty body and `X-Accel-Redirect`. ' +
    'A transcode (format, bitrate or offset asked, or the user\'s maximum bitrate) live from ffmpeg: ' +
    '`Accept-Ranges: none`, `X-Content-Duration`, and no Content-Length unless estimateContentLength; ' +
    'a finished transcode comes from the cache with ranges, like a file.',
  headers: {
    ...cacheHeaders,
    'Content-Length': { type: 'integer' },
    'X-Content-Duration': { type: 'string', description: 'Transcodes: seconds of audio in the body' }
  },
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
