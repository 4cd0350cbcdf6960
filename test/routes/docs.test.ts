import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import type { OpenAPIV3 } from 'openapi-types'
import { build } from '../helper.js'

t.test('the OpenAPI document is valid OpenAPI 3 and describes the routes', async (t) => {
  const app = await build(t)
  const res = await app.inject('/docs/json')
  t.equal(res.statusCode, 200)
  const doc = res.json() as OpenAPIV3.Document
  t.match(doc.openapi, /^3\./)
  // validate() dereferences in place: give it a copy.
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as OpenAPIV3.Document), 'passes swagger-parser validation')

  t.ok(doc.paths['/health']?.get, '/health is documented')
  t.ok(doc.paths['/health/ready']?.get?.responses['503'], 'the 503 of readiness is documented')
  t.ok(doc.components?.schemas?.ErrorResponse, 'the shared error shape is a named component')
  const tags = (doc.tags ?? []).map((tag) => tag.name)
  t.same(tags.sort(), ['auth', 'cover', 'health', 'library', 'operations', 'scan', 'stream', 'users'])
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const op of Object.values(item ?? {}) as OpenAPIV3.OperationObject[]) {
      if (typeof op !== 'object' || op === null || !('responses' in op)) continue
      t.ok(op.summary, `${path} has a summary`)
      t.ok((op.tags ?? []).length > 0, `${path} is tagged`)
    }
  }
})

t.test('Swagger UI is served at /docs', async (t) => {
  const app = await build(t)
  const res = await app.inject('/docs')
  t.equal(res.statusCode, 200)
  t.match(res.headers['content-type'], /text\/html/)
  t.match(res.body, /swagger/i)
})

t.test('the document marks exactly the operations that need the key, from the same flag auth reads', async (t) => {
  const app = await build(t, { env: { API_KEY: 'docs-key' } })
  const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
  t.same(Object.keys(doc.components?.securitySchemes ?? {}).sort(), ['apiKeyQuery', 'bearerAuth'])
  let checked = 0
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of ['get', 'head', 'post', 'put', 'patch', 'delete'] as const) {
      const op = item?.[method]
      if (op === undefined) continue
      checked++
      const what = `${method.toUpperCase()} ${path}`
      const url = path.replace(/\{\w+\}/g, '00000000-0000-4000-8000-000000000000')
      // Every protected operation is refused before its handler runs, the event stream included.
      const res = await app.inject({ method: method.toUpperCase() as 'GET', url })
      const role = (op as unknown as Record<string, unknown>)['x-required-role']
      if (path.startsWith('/health') || what === 'POST /api/auth/login') {
        t.same(op.security, [], `${what} is public`)
        t.equal(role, undefined, `${what} names no role`)
        if (what !== 'POST /api/auth/login') t.equal(op.responses['401'], undefined, `${what} documents no 401`)
        t.not(res.statusCode, 401, `${what} answers without the key`)
      } else {
        t.same(op.security, [{ bearerAuth: [] }, { apiKeyQuery: [] }], `${what} needs the key, as a header or a query parameter; none is optional`)
        t.ok(op.responses['401'], `${what} documents its 401`)
        t.ok(['user', 'admin', 'analysis'].includes(role as string), `${what} names the role it needs: ${String(role)}`)
        t.ok(op.responses['403'], `${what} documents its 403`)
        t.equal(res.statusCode, 401, `${what} answers 401 without the key`)
      }
    }
  }
  t.ok(checked > 20)
  const roles = (path: string, method: 'get' | 'post' | 'put' | 'delete'): unknown => (doc.paths[path]?.[method] as unknown as Record<string, unknown>)['x-required-role']
  t.equal(roles('/api/scan/start', 'post'), 'admin', 'scans are an admin\'s')
  t.equal(roles('/api/users', 'get'), 'admin', 'so are other users')
  t.equal(roles('/api/library/tracks/{id}/analysis', 'put'), 'analysis', 'analysis results: admins and worker keys')
  t.equal(roles('/api/library/tracks', 'get'), 'user')
})
