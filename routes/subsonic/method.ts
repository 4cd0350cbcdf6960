// How a Subsonic method becomes routes: `/rest/name` and `/rest/name.view`, GET and form POST,
// its parameters merged, its caller authenticated the Subsonic way, its answer (or error)
// written in the format the client asked for.
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify'
import { Params } from '../../lib/subsonic/params.js'
import { encode, FORMATS, isCallbackName, type Format } from '../../lib/subsonic/encode.js'
import { ok, type Envelope, type SubsonicNode } from '../../lib/subsonic/response.js'
import { CODES, SubsonicError } from '../../lib/subsonic/errors.js'
import { readCredentials } from '../../lib/subsonic/credentials.js'
import { authenticate } from '../../lib/subsonic/authenticate.js'
import type { Caller } from '../../lib/users/caller.js'
import type { LibraryView } from '../../lib/library/library-service.js'
import { HELP_PATH } from './help.js'

export interface Call {
  params: Params
  caller: Caller
  library: LibraryView
  request: FastifyRequest
  reply: FastifyReply
}

// A method answers with the body of an ok envelope, or sends the reply itself (audio, images).
export type MethodHandler = (call: Call) => Promise<SubsonicNode | FastifyReply>

export interface MethodOptions {
  // Answers without credentials (getOpenSubsonicExtensions).
  open?: boolean
  admin?: boolean
  // The method answers HEAD itself (media); otherwise HEAD is the GET answer without its body.
  ownHead?: boolean
}

export function paramsOf (request: FastifyRequest): Params {
  const body = typeof request.body === 'object' ? request.body as Record<string, string[]> : undefined
  return new Params(request.query as Record<string, string | string[]>, body)
}

interface Output { format: Format, callback?: string }

// What the client asked its answers to be written as; xml when it did not say. A JSONP answer
// without a usable callback is written as JSON, with the error that says so.
function outputOf (params: Params): Output & { problem?: SubsonicError } {
  const asked = params.string('f')?.toLowerCase()
  const format = FORMATS.find((f) => f === asked) ?? 'xml'
  if (format !== 'jsonp') return { format }
  const callback = params.string('callback')
  if (callback === undefined || callback === '') return { format: 'json', problem: new SubsonicError(CODES.missingParameter, "Required parameter 'callback' is missing") }
  if (!isCallbackName(callback)) return { format: 'json', problem: new SubsonicError(CODES.generic, "Parameter 'callback' must be a JavaScript name") }
  return { format, callback }
}

export async function sendEnvelope (reply: FastifyReply, envelope: Envelope, output: Output, status = 200): Promise<FastifyReply> {
  const { contentType, body } = await encode(envelope, output.format, output.callback)
  return await reply.code(status).type(contentType).send(body)
}

// The error handler's way to the format: the parameters may be what failed to parse.
export function outputForError (request: FastifyRequest): Output {
  try {
    const { format, callback } = outputOf(paramsOf(request))
    return { format, callback }
  } catch {
    return { format: 'xml' }
  }
}

export const helpUrlOf = (request: FastifyRequest): string => `${request.protocol}://${request.host}${HELP_PATH}`

export function method (fastify: FastifyInstance, name: string, handler: MethodHandler, options: MethodOptions = {}): void {
  const methods: HTTPMethods[] = options.ownHead === true ? ['GET', 'HEAD', 'POST'] : ['GET', 'POST']
  for (const url of [`/${name}`, `/${name}.view`]) {
    fastify.route({
      method: methods,
      url,
      exposeHeadRoute: options.ownHead !== true,
      // Subsonic has its own login and its own errors: the API's key check stays out.
      config: { public: true },
      schema: { hide: true },
      handler: async (request, reply) => {
        const params = paramsOf(request)
        const output = outputOf(params)
        if (output.problem !== undefined) throw output.problem
        const caller = options.open === true
          ? null
          : await authenticate(fastify.users, readCredentials(params, request.headers.authorization), helpUrlOf(request))
        if (caller !== null) {
          if (options.admin === true && caller.role !== 'admin') throw new SubsonicError(CODES.notAuthorized, 'This needs an admin')
          request.caller = caller
        }
        // Open methods have no caller and read no library.
        const library = caller === null ? undefined as unknown as LibraryView : fastify.libraryFor(request)
        const answer = await handler({ params, caller: caller as Caller, library, request, reply })
        // A handler that sent the reply itself returns it, and awaiting a reply (a thenable)
        // waits for the response to finish and gives undefined: either way it is sent.
        if (reply.sent) return reply
        return await sendEnvelope(reply, ok(answer as SubsonicNode), output)
      }
    })
  }
}
