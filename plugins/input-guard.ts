import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { BAD_TEXT_MESSAGE, findBadText, findNonFinite } from '../lib/input/bad-text.js'
import { firstNonDecimal } from '../lib/input/decimal-numbers.js'
import { jsonDepthExceeds } from '../lib/input/json-depth.js'

// Deeper than any real body (analysis results nest a handful of levels), far below what recursive
// code downstream (PostgreSQL's jsonb input among it) can take.
export const MAX_JSON_DEPTH = 64

function badRequest (message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400, code: 'FST_ERR_VALIDATION' })
}

type Part = 'querystring' | 'params' | 'body'

function raw (request: FastifyRequest, part: Part): unknown {
  if (part === 'querystring') return request.query
  if (part === 'params') return request.params
  return request.body
}

// Input checks every route shares, made before schema validation: the one JSON body parser,
// text PostgreSQL cannot store, and numbers written other than as plain decimals.
export default fp(async (fastify) => {
  // Clients send Content-Type: application/json with no body at all (a POST that starts a scan,
  // a DELETE from the web app); that is a body-less request, not malformed JSON. A route whose
  // schema needs a body still says so in its validation error.
  const json = fastify.getDefaultJsonParser('error', 'error')
  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string
    if (text.trim() === '') return done(null, undefined)
    if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) return done(badRequest(`body must not nest deeper than ${MAX_JSON_DEPTH} levels`), undefined)
    json(request, text, done)
  })

  fastify.addHook('preValidation', async (request) => {
    const schema = request.routeOptions.schema
    if (schema === undefined) return
    for (const part of ['params', 'querystring', 'body'] as const) {
      if (schema[part] === undefined) continue
      const value = raw(request, part)
      const bad = findBadText(value)
      if (bad !== null) throw badRequest(`${bad === '' ? part : `${part}/${bad}`} ${BAD_TEXT_MESSAGE}`)
      if (part === 'body') {
        const huge = findNonFinite(value)
        if (huge !== null) throw badRequest(`${huge === '' ? part : `${part}/${huge}`} must be a finite number`)
        continue
      }
      const number = firstNonDecimal(schema[part], value)
      if (number !== null) {
        throw badRequest(`${part}/${number.key} must be ${number.integer ? 'integer' : 'number'} (decimal digits only)`)
      }
    }
  })
}, { name: 'input-guard', fastify: '5.x' })
