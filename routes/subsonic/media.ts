// Media retrieval: a track's bytes (stream, download), cover art and lyrics, served by the same
// code as /api/stream and /api/cover.
import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import { method } from './method.js'
import { notFound } from '../../lib/subsonic/errors.js'
import { coverRefParam, trackIdParam } from '../../lib/subsonic/media-ids.js'
import { coverAlbum } from '../../lib/subsonic/cover-art.js'

// A file found missing after its headers were chosen: the envelope must not carry them, or a
// client could keep the error under the file's validators.
const FILE_HEADERS = ['etag', 'last-modified', 'cache-control', 'accept-ranges', 'content-disposition']

function missingSong (reply: FastifyReply): never {
  for (const name of FILE_HEADERS) reply.removeHeader(name)
  throw notFound('Song')
}

// Pixels are any positive number here; the cover cache snaps them to its steps.
const SIZE = { min: 1, max: 65_535 }

const media: FastifyPluginAsync = async (fastify) => {
  // format, maxBitRate, timeOffset and estimateContentLength ask for transcoding, which this
  // server does not do yet: the original bytes are what every client can play. Not a play:
  // players call scrobble for that.
  method(fastify, 'stream', async ({ params, request, reply }) =>
    await fastify.audioFiles.send(trackIdParam(params), request, reply, { notFound: missingSong }), { ownHead: true })

  method(fastify, 'download', async ({ params, request, reply }) =>
    await fastify.audioFiles.send(trackIdParam(params), request, reply, { notFound: missingSong, attachment: true }), { ownHead: true })

  method(fastify, 'getCoverArt', async ({ params, library, request, reply }) => {
    const ref = coverRefParam(params)
    const size = params.int('size', SIZE)
    const album = await coverAlbum(library, ref)
    if (album === null) throw notFound('Cover art')
    const sent = await fastify.covers.send(album.albumId, album.coverSource, size, request, reply)
    if (sent === null) throw notFound('Cover art')
    return sent
  })
}

export default media
