// A track's audio as HTTP answers it, for every API that serves one (/api/stream, Subsonic's
// stream and download): the file resolved inside the media root on every request, byte ranges,
// validators, HEAD and the X-Accel offload; or, when the client or the user's cap asks for it, a
// transcode (lib/transcode): a finished one from the cache with ranges like any file, else ffmpeg
// live. Each API says how it answers a missing track.
import { closeSync, createReadStream } from 'node:fs'
import { basename } from 'node:path'
import fp from 'fastify-plugin'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { create as contentDisposition } from 'content-disposition'
import { findStreamTarget, noteChangedSize, StreamPathCache, type StreamTarget } from '../lib/stream/track-lookup.js'
import { audioContentType } from '../lib/mime.js'
import { planResponse } from '../lib/stream/response-plan.js'
import { readRange, SMALL_RANGE_BYTES, offloadPath } from '../lib/stream/file-body.js'
import type { GuardedFile } from '../lib/path-guard.js'
import { errorBody } from '../lib/error-body.js'
import { chooseStream, type StreamChoice, type TranscodeAsk } from '../lib/transcode/stream-choice.js'
import { TARGETS } from '../lib/transcode/formats.js'
import type { TranscodeSpec } from '../lib/transcode/ffmpeg-args.js'
import type { SourceVersion } from '../lib/transcode/transcode-cache.js'
import { sendLive } from '../lib/transcode/send-live.js'

// How long a track row found for a stream URL is reused (see StreamPathCache).
const LOOKUP_TTL_MS = 2000

const PRECONDITION_FAILED = errorBody(412, 'The file has changed since the validator you sent (If-Match / If-Unmodified-Since)')

export interface SendOptions {
  // Answers when the key names no indexed track, or its file is gone or refused.
  notFound: (reply: FastifyReply) => FastifyReply | Promise<FastifyReply>
  // Offers the bytes as a download under the file's own name.
  attachment?: boolean
  // What the client asked for; absent: the file's own bytes (unless the user's cap says otherwise).
  transcode?: TranscodeAsk
}

export interface AudioFiles {
  // `key` is a track id, or an indexed library-relative file path.
  send: (key: string, request: FastifyRequest, reply: FastifyReply, options: SendOptions) => Promise<FastifyReply>
}

declare module 'fastify' {
  interface FastifyInstance {
    audioFiles: AudioFiles
  }
}

// Closes the descriptor unless a stream has taken it over (fd set to -1). Closing a read-only
// descriptor of a regular file does no I/O, so it is done synchronously.
function release (file: GuardedFile): void {
  if (file.fd < 0) return
  closeSync(file.fd)
  file.fd = -1
}

const RAW: StreamChoice = { raw: true }

// Whose share of the transcoders a request uses: a person's key names them; an open service and
// the shared API_KEY are everyone at once.
function ownerOf (request: FastifyRequest): string | null {
  const caller = request.caller
  return caller === null || caller.keyId === null ? null : caller.userId
}

// The duration a transcode plays for, as X-Content-Duration (seconds, Firefox's header).
function playedSeconds (target: StreamTarget, offset: number): number | null {
  return target.duration === null ? null : Math.max(0, target.duration - offset)
}

export default fp(async (fastify) => {
  const { streamOffload, streamOffloadPrefix } = fastify.config
  const { transcoder, cache, defaults } = fastify.transcoding

  const paths = new StreamPathCache<StreamTarget>(LOOKUP_TTL_MS, 10_000)
  const lookup = async (key: string): Promise<StreamTarget | null> => paths.get(key, async (k) => findStreamTarget(fastify.pg, k))

  async function send (key: string, request: FastifyRequest, reply: FastifyReply, options: SendOptions): Promise<FastifyReply> {
    const target = await lookup(key)
    if (target === null) return await options.notFound(reply)
    const { filePath } = target
    const file = await fastify.pathGuard.open(filePath, request.log)
    if (file === null) return await options.notFound(reply)
    try {
      if (file.stats.size !== target.fileSize) await noticeChangedSize(target, file.stats.size, request)
      // A download is the file itself: the user's cap is for listening over their connection.
      const choice = options.attachment === true ? RAW : chooseStream(options.transcode ?? {}, target, defaults, request.caller?.maxBitrate ?? null)
      if (!choice.raw) return await transcode(target, file, { ...choice, channels: target.channels }, request, reply, options)
      if (options.attachment === true) reply.header('content-disposition', contentDisposition(basename(filePath)))
      return await answer(file, audioContentType(filePath), request, reply, options)
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

  async function transcode (target: StreamTarget, file: GuardedFile, spec: TranscodeSpec, request: FastifyRequest, reply: FastifyReply, options: SendOptions): Promise<FastifyReply> {
    const { contentType } = TARGETS[spec.format]
    const seconds = playedSeconds(target, spec.offset)
    const duration: Record<string, string> = seconds === null ? {} : { 'x-content-duration': seconds.toFixed(2) }
    const { size, mtimeMs, ctimeMs, ino } = file.stats
    const version: SourceVersion = { trackId: target.id, size, mtimeMs, ctimeMs, ino }

    const cached = spec.offset === 0 ? cache.open(version, spec.format, spec.bitrate) : null
    if (cached !== null) {
      release(file)
      reply.headers(duration)
      return await answer({ fd: cached.fd, stats: cached.stats, relativePath: '' }, contentType, request, reply, options, false)
    }

    const estimate = options.transcode?.estimateContentLength === true && seconds !== null && spec.bitrate !== null
      ? Math.ceil(seconds * spec.bitrate * 1000 / 8)
      : null
    // Set only once the answer is audio: an error must not go out under these.
    const live = { ...duration, 'content-type': contentType, 'accept-ranges': 'none', 'cache-control': 'no-store', ...(estimate === null ? {} : { 'content-length': String(estimate) }) }
    // Headers only: no ffmpeg for a HEAD.
    if (request.method === 'HEAD') {
      release(file)
      return reply.code(200).headers(live).send()
    }

    return await sendLive(transcoder, { file, spec, version, estimate, headers: live, cache: spec.offset === 0 ? cache : null, owner: ownerOf(request) }, request, reply, () => { release(file) })
  }

  async function answer (file: GuardedFile, contentType: string, request: FastifyRequest, reply: FastifyReply, options: SendOptions, offloadable = true): Promise<FastifyReply> {
    if (streamOffload === 'x-accel' && offloadable) {
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
        return await options.notFound(reply)
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

  fastify.decorate('audioFiles', { send } satisfies AudioFiles)
}, { name: 'audio-files', dependencies: ['config', 'db', 'path-guard', 'transcoder'], fastify: '5.x' })
