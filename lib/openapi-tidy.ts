// Final touches to the generated OpenAPI document, applied once when it is rendered.
// Kept free of Fastify so it can be unit-tested on a plain object.

type Json = Record<string, unknown>

const ERROR_REF = { $ref: '#/components/schemas/ErrorResponse' }
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options']

function errorResponse (description: string): Json {
  return { description, content: { 'application/json': { schema: ERROR_REF } } }
}

// The security requirement of every operation that needs the key when API_KEY is set: either
// scheme satisfies it. Public operations carry `security: []`.
export const KEY_SECURITY = [{ bearerAuth: [] }, { apiKeyQuery: [] }]

// Which callers an operation lets through: user (people, not worker keys), admin, or analysis.
export const ROLE_EXTENSION = 'x-required-role'
const ROLE_TEXT: Record<string, string> = {
  user: 'Needs a person\'s key (any role); a worker key gets 403.',
  admin: 'Needs an admin\'s key (or the shared API_KEY); other keys get 403.',
  analysis: 'Needs an admin\'s key or a worker key (POST /api/auth/keys with role worker); other keys get 403.'
}

export function tidyOpenApi<T extends object> (document: T): T {
  const doc = document as unknown as { paths?: Record<string, Json> }
  const paths: Record<string, Json> = {}
  const seen = new Set<string>()
  for (const [rawPath, item] of Object.entries(doc.paths ?? {})) {
    // Fastify's wildcard renders as {*}, which is not a legal parameter name for linters and
    // code generators: it carries a library-relative file path, so call it that.
    const path = rawPath.replace('{*}', '{filePath}')
    for (const method of METHODS) {
      const shared = item[method] as Json | undefined
      if (shared === undefined) continue
      // Methods of one route may share one operation object; give each its own.
      const op: Json = { ...shared, responses: { ...(shared.responses as Json | undefined) } }
      item[method] = op
      const params = (op.parameters ?? []) as Json[]
      for (const param of params) {
        if (param.in === 'path' && param.name === '*') {
          param.name = 'filePath'
          param.description ??= 'Library-relative file path; slashes may be raw or percent-encoded'
        }
      }
      // GET and HEAD of one route share a schema, and so an operationId.
      if (typeof op.operationId === 'string') {
        let id = method === 'head' ? op.operationId.replace(/^get/, 'head') : op.operationId
        if (seen.has(id)) id = `${method}${id[0].toUpperCase()}${id.slice(1)}`
        for (let n = 2; seen.has(id); n++) id = `${id}${n}`
        op.operationId = id
        seen.add(id)
      }
      const responses = (op.responses ?? {}) as Record<string, Json>
      op.responses = responses
      // Errors are JSON whatever the route produces on success (audio, images, event streams).
      for (const [status, response] of Object.entries(responses)) {
        if (Number(status) >= 400 && response.content !== undefined) {
          const content = response.content as Record<string, Json>
          const schema = content['application/json']?.schema ?? Object.values(content)[0]?.schema ?? ERROR_REF
          response.content = { 'application/json': { schema } }
        }
      }
      // The router refuses an over-long path parameter with 414 before any handler runs.
      if (params.some((p) => p.in === 'path') && responses['414'] === undefined) {
        responses['414'] = errorResponse('A path parameter is longer than the server accepts')
      }
      // An operation that requires a key answers 401 without it, and 403 to a key of the wrong role.
      if (Array.isArray(op.security) && op.security.length > 0) {
        responses['401'] ??= errorResponse('No valid key, once anyone has signed up or API_KEY is set')
        const role = op[ROLE_EXTENSION]
        if (typeof role === 'string' && ROLE_TEXT[role] !== undefined) {
          responses['403'] ??= errorResponse(ROLE_TEXT[role])
          op.description = typeof op.description === 'string' ? `${op.description}\n\n${ROLE_TEXT[role]}` : ROLE_TEXT[role]
        }
      }
    }
    paths[path] = item
  }
  doc.paths = paths
  return document
}
