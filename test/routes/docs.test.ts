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
  t.same(tags.sort(), ['cover', 'health', 'library', 'scan', 'stream'])
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
