// The OpenSubsonic API under /rest: the apps people already use (Symfonium, DSub, Tempo, Feishin,
// Supersonic, Amperfy) on the same library, users, playlists, streams and covers as /api. One
// file per area of the API, as the spec groups its methods.
import type { FastifyPluginAsync } from 'fastify'
import { isDependencyDown } from '../../lib/dependency-errors.js'
import { TranscoderBusyError } from '../../lib/transcode/transcoder.js'
import { isGoneAccount } from '../../lib/users/caller.js'
import { failed } from '../../lib/subsonic/response.js'
import { CODES, SubsonicError } from '../../lib/subsonic/errors.js'
import { readForm } from '../../lib/subsonic/form.js'
import { outputForError, sendEnvelope } from './method.js'
import system from './system.js'
import browsing from './browsing.js'
import lists from './lists.js'
import searching from './searching.js'
import annotation from './annotation.js'
import playlists from './playlists.js'
import queue from './queue.js'
import media from './media.js'

const subsonic: FastifyPluginAsync = async (fastify) => {
  // The formPost extension: the same parameters as a form body, kept out of URLs and logs.
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, readForm(body as string))
  })

  // Every error is an envelope in the client's format. Subsonic clients read HTTP 200 bodies
  // only; a dependency that is down is still a 503, which they retry like a network failure.
  fastify.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    // Failed while its body was being sent (a client that went away mid-stream): nothing more
    // can be said to it.
    if (reply.sent) {
      request.log.debug({ err: error }, 'response failed after it was sent')
      return
    }
    const output = outputForError(request)
    if (error instanceof SubsonicError) return await sendEnvelope(reply, failed(error.code, error.message, error.helpUrl), output)
    if (isDependencyDown(error)) {
      request.log.warn({ err: error }, 'dependency unavailable')
      return await sendEnvelope(reply, failed(CODES.generic, 'A service the library depends on is unavailable; try again shortly'), output, 503)
    }
    if (isGoneAccount(error)) return await sendEnvelope(reply, failed(CODES.wrongCredentials, 'This account no longer exists'), output)
    // Every transcoder busy: 429 with Retry-After, as Navidrome answers, which apps back off from.
    if (error instanceof TranscoderBusyError) {
      reply.header('retry-after', String(error.retryAfterSeconds))
      return await sendEnvelope(reply, failed(CODES.generic, error.message), output, 429)
    }
    const status = error.statusCode ?? 500
    // A deliberate 5xx written for the client (no ffmpeg, a file it cannot decode).
    if (status >= 500 && (error as { expose?: boolean }).expose === true) {
      request.log.warn({ err: error }, 'request refused')
      return await sendEnvelope(reply, failed(CODES.generic, error.message), output, status)
    }
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed')
      return await sendEnvelope(reply, failed(CODES.generic, 'Something went wrong on our side'), output, 500)
    }
    return await sendEnvelope(reply, failed(CODES.generic, error.message), output)
  })

  // A method this server does not have: a proper envelope, so the app can tell the user.
  // Other verbs and the bare /rest too: everything under /rest answers as Subsonic does.
  for (const url of ['/', '/*']) {
    fastify.route({
      method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
      url,
      config: { public: true },
      schema: { hide: true },
      handler: async (request) => {
        const name = request.url.split('?')[0].replace(/^\/rest\/?/, '').replace(/\.view$/, '')
        throw new SubsonicError(CODES.generic, `Unknown method '${name.slice(0, 100)}'`)
      }
    })
  }

  await fastify.register(system)
  await fastify.register(browsing)
  await fastify.register(lists)
  await fastify.register(searching)
  await fastify.register(annotation)
  await fastify.register(playlists)
  await fastify.register(queue)
  await fastify.register(media)
}

export default subsonic
