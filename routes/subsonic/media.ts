import { closeSync } from 'node:fs'
// Media retrieval: a track's bytes (stream, download), cover art and lyrics, served by the same
// code as /api/stream and /api/cover.
import type { FastifyBaseLogger, FastifyPluginAsync, FastifyReply } from 'fastify'
import { method } from './method.js'
import { notFound } from '../../lib/subsonic/errors.js'
import { coverRefParam } from '../../lib/subsonic/media-ids.js'
import { idParam } from '../../lib/subsonic/list-params.js'
import { transcodeAsk } from '../../lib/subsonic/stream-params.js'
import { coverAlbum } from '../../lib/subsonic/cover-art.js'
import { isAskedTrack, lyricsSearch, plainLyrics, structuredLyrics } from '../../lib/subsonic/lyrics-model.js'
import { readLyrics } from '../../lib/lyrics/read-lyrics.js'
import type { StructuredLyrics } from '../../lib/lyrics/structured-lyrics.js'
import type { TrackT } from '../../schemas/library.js'

// A file found missing after its headers were chosen: the envelope must not carry them, or a
// client could keep the error under the file's validators.
const FILE_HEADERS = ['etag', 'last-modified', 'cache-control', 'accept-ranges', 'content-disposition']

function missingSong (reply: FastifyReply): never {
  for (const name of FILE_HEADERS) reply.removeHeader(name)
  throw notFound('Song')
}

// Pixels are any positive number here; the cover cache snaps them to its steps.
const SIZE = { min: 1, max: 65_535 }

// getLyrics: the tracks the search may return, and how many of the matching ones have their
// files read before the answer is "none".
const LYRICS_CANDIDATES = 100
const LYRICS_FILES = 5

// The file went away (or became unreadable) between the path guard and the read.
const UNREADABLE = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EISDIR'])

const media: FastifyPluginAsync = async (fastify) => {
  // format, maxBitRate, timeOffset and estimateContentLength are the same transcode as
  // /api/stream's. Not a play: players call scrobble for that.
  method(fastify, 'stream', async ({ params, request, reply }) =>
    await fastify.audioFiles.send(idParam(params, 'Song'), request, reply, { notFound: missingSong, transcode: transcodeAsk(params) }), { ownHead: true })

  method(fastify, 'download', async ({ params, request, reply }) =>
    await fastify.audioFiles.send(idParam(params, 'Song'), request, reply, { notFound: missingSong, attachment: true }), { ownHead: true })

  method(fastify, 'getCoverArt', async ({ params, library, request, reply }) => {
    const ref = coverRefParam(params)
    const size = params.int('size', SIZE)
    const album = await coverAlbum(library, ref)
    if (album === null) throw notFound('Cover art')
    const sent = await fastify.covers.send(album.albumId, album.coverSource, size, request, reply)
    if (sent === null) throw notFound('Cover art')
    return sent
  })

  // Lyrics are read from the file and its sidecar .lrc when asked for, so a new .lrc shows
  // without a scan. A file that is gone has none.
  async function lyricsOf (track: TrackT, log: FastifyBaseLogger): Promise<StructuredLyrics[]> {
    const file = await fastify.pathGuard.open(track.filePath, log)
    if (file === null) return []
    try {
      // The tags are read through the descriptor the guard checked, never by path again: a file
      // swapped for a link or a FIFO since the check is not what gets read.
      return await readLyrics({ path: `/dev/fd/${file.fd}`, relativePath: track.filePath }, async (sidecar) => await fastify.pathGuard.open(sidecar, log))
    } catch (err) {
      if (UNREADABLE.has((err as NodeJS.ErrnoException).code ?? '')) return []
      throw err
    } finally {
      closeSync(file.fd)
    }
  }

  method(fastify, 'getLyricsBySongId', async ({ params, library, request }) => {
    const track = await library.tracks.byId(idParam(params, 'Song'))
    if (track === null) throw notFound('Song')
    const versions = await lyricsOf(track, request.log)
    return { lyricsList: { structuredLyrics: versions.map((lyrics) => structuredLyrics(track, lyrics)) } }
  })

  method(fastify, 'getLyrics', async ({ params, library, request }) => {
    const artist = params.string('artist')
    const title = params.string('title')
    const q = lyricsSearch(artist, title)
    if (q === null) return { lyrics: {} }
    const found = await library.tracks.list({ q, limit: LYRICS_CANDIDATES, offset: 0 })
    const asked = found.rows.filter((track) => isAskedTrack(track, artist, title)).slice(0, LYRICS_FILES)
    for (const track of asked) {
      const versions = await lyricsOf(track, request.log)
      if (versions.length > 0) return { lyrics: plainLyrics(track, versions) }
    }
    return { lyrics: {} }
  })
}

export default media
