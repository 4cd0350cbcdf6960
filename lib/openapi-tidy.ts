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
      // An operation that requires a key answers 401 without it.
      if (Array.isArray(op.security) && op.security.length > 0 && responses['401'] === undefined) {
        responses['401'] = errorResponse('API_KEY is set and the request did not carry it')
      }
    }
    paths[path] = item
  }
  doc.paths = paths
  return document
}
