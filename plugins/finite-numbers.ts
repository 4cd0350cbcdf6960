import fp from 'fastify-plugin'

// Ajv's type coercion turns a decimal of 310 digits into Infinity and then lets it past
// `maximum`, so such a query would reach SQL. (Exponents like 1e309 are already refused by
// input-guard: only plain decimal digits are numbers.) Validated values are checked once more here.
function firstInfinite (value: unknown): string | null {
  if (value === null || typeof value !== 'object') return null
  for (const [key, inner] of Object.entries(value)) {
    const values = Array.isArray(inner) ? inner : [inner]
    if (values.some((v) => typeof v === 'number' && !Number.isFinite(v))) return key
  }
  return null
}

export default fp(async (fastify) => {
  fastify.addHook('preHandler', async (request) => {
    for (const [part, value] of [['querystring', request.query], ['params', request.params]] as const) {
      const key = firstInfinite(value)
      if (key !== null) {
        const err = fastify.httpErrors.badRequest(`${part}/${key} must be a finite number`)
        throw Object.assign(err, { code: 'FST_ERR_VALIDATION' })
      }
    }
  })
}, { name: 'finite-numbers', fastify: '5.x' })
