// A live transcode as the answer to one request: ffmpeg started on the guarded descriptor, its
// output sent as it comes (copied to the cache when asked), and ffmpeg ended the moment the
// listener goes. Only a transcode read to the end by its client, from an ffmpeg that exited
// with 0, is kept.
import type { FastifyReply, FastifyRequest } from 'fastify'
import type { GuardedFile } from '../path-guard.js'
import type { TranscodeSpec } from './ffmpeg-args.js'
import type { Transcoder } from './transcoder.js'
import type { SourceVersion, TranscodeCache } from './transcode-cache.js'
import { EstimateTooLongError, TranscodeBody, TranscodeFailedError } from './transcode-body.js'

export interface LiveTranscode {
  file: GuardedFile
  spec: TranscodeSpec
  version: SourceVersion
  // Content-Length promised (estimateContentLength), or null.
  estimate: number | null
  // Sent with the first bytes, never with an error.
  headers: Record<string, string>
  // Where a finished transcode is kept; null: not kept (an offset, or no cache).
  cache: TranscodeCache | null
  // The user it is for, whose share of the transcoders is limited (Transcoder.start).
  owner: string | null
}

class ListenerGoneError extends Error {}

// `release` closes the request's copy of the source descriptor.
export async function sendLive (transcoder: Transcoder, live: LiveTranscode, request: FastifyRequest, reply: FastifyReply, release: () => void): Promise<FastifyReply> {
  const { spec, version, estimate } = live
  // Registered before ffmpeg starts: a listener gone while waiting for a free transcoder
  // must not leave one running for nobody. It may be gone already (while the track was looked
  // up), and 'close' has then fired.
  let gone = reply.raw.destroyed
  const left = new AbortController()
  let onGone = (): void => {}
  reply.raw.once('close', () => {
    gone = !reply.raw.writableFinished
    if (gone) left.abort(new ListenerGoneError())
    onGone()
  })

  let running
  try {
    if (gone) return reply
    running = await transcoder.start(live.file.fd, spec, left.signal, live.owner)
  } catch (err) {
    if (err instanceof ListenerGoneError) return reply
    throw err
  } finally {
    // ffmpeg holds its own copy of the descriptor from the moment it is spawned.
    release()
  }
  const { output, stop, exited } = running
  const writer = live.cache?.writer(version, spec.format, spec.bitrate) ?? null
  const body = new TranscodeBody({ exited, cache: writer, exactLength: estimate })
  onGone = () => {
    if (reply.raw.writableFinished && body.complete && writer !== null) {
      writer.commit().catch((err: unknown) => request.log.warn({ err }, 'could not keep a finished transcode'))
      return
    }
    stop()
    body.destroy()
    writer?.discard()
  }
  // A file ffmpeg cannot read fails the body before it is handed to Fastify, which listens for
  // errors only from then on: unheard, that error would end the process. The failure is
  // answered by the throw below; once sent, Fastify ends the response.
  body.on('error', (err) => {
    if (err instanceof EstimateTooLongError) request.log.warn({ track: version.trackId, err }, 'estimated length far off: response cut')
    else request.log.debug({ err }, 'transcode body failed')
  })
  // Whatever ends the body before ffmpeg has finished (Fastify destroys a stream it cannot
  // send, a socket error) ends ffmpeg too: an ffmpeg whose output nobody reads would otherwise
  // block on its pipe for good, holding a slot.
  body.once('close', () => {
    if (body.complete) return
    stop()
    writer?.discard()
  })
  if (gone) {
    onGone()
    return reply
  }
  exited.then((exit) => {
    if (exit.code !== 0 && !exit.stopped) request.log.warn({ track: version.trackId, format: spec.format, ffmpeg: exit.stderr }, 'transcode failed')
  }, () => {})
  output.pipe(body)
  // Headers wait for the first bytes, so a file ffmpeg cannot read at all gets a proper error
  // instead of a 200 that breaks off.
  if (!await body.started) {
    const exit = await exited
    if (gone) return reply
    if (exit.code !== 0) {
      onGone()
      throw new TranscodeFailedError(exit)
    }
  }
  return reply.code(200).headers(live.headers).send(body)
}
