// Property-based requests: random values for every path and query parameter (and body) of every
// documented operation. Whatever arrives, the service answers below 500, keeps to its documented
// statuses, and keeps answering.
import t from 'tap'
import fc from 'fast-check'
import type { OpenAPIV3 } from 'openapi-types'
import { build } from '../helper.js'
import { ContractValidator, type Operation } from './validator.js'

const SEED = 20261124
const RUNS = Number(process.env.FUZZ_RUNS ?? 150)

const nasty = fc.constantFrom(
  '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '[]', '{}', '%', '%00', '\u0000', '../../etc/passwd',
  '..%2f..%2fetc%2fpasswd', '%2e%2e%2f', '..\\..\\windows', '/etc/passwd', '%c0%ae%c0%ae/', 'ü', 'Sigur Rós',
  '00000000-0000-0000-0000-000000000000', 'ffffffff-ffff-ffff-ffff-ffffffffffff', '9'.repeat(40), 'a'.repeat(3000),
  "'; DROP TABLE tracks; --", '<script>', 'desc', 'asc', 'title', '__proto__', 'constructor'
)

// Text PostgreSQL cannot store, somewhere inside an otherwise ordinary string. Over HTTP an
// unpaired surrogate in a URL arrives as U+FFFD or as invalid percent-encoding, so URLs get NUL
// and encoded surrogates, and JSON bodies get both as escapes.
const NUL_OR_SURROGATE = fc.constantFrom('\u0000', '\uD800', '\uDBFF', '\uDC00', '\uDFFF', '\uDC00\uD800')
const badText = fc.tuple(fc.string({ maxLength: 8 }), NUL_OR_SURROGATE, fc.string({ maxLength: 8 })).map(([a, bad, b]) => a + bad + b)
const badUrlText = fc.oneof(
  badText.map((text) => text.replace(/[\uD800-\uDFFF]/g, '\u0000')),
  fc.constantFrom('%ED%A0%80', 'a%ED%B0%80', '%C0%80', '%F0%9F')
)

// JSON text nested past any real body (a 64-level cap, so around it, and far beyond). Kept as
// text: fast-check prints values recursively, and a 5,000-level value would overflow it.
const deepJson = fc.tuple(fc.constantFrom(63, 64, 65, 200, 5000), fc.boolean()).map(([depth, arrays]) =>
  arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"x":'.repeat(depth)}1${'}'.repeat(depth)}`)

// Any JSON value with bad text in some string or key.
const jsonWithBadText = fc.oneof(
  badText,
  fc.dictionary(fc.oneof(badText, fc.constantFrom('isFavorite', 'name', 'bpm', 'rules')), fc.oneof(badText, fc.jsonValue({ maxDepth: 1 })), { minKeys: 1, maxKeys: 3 }),
  fc.tuple(fc.constantFrom('name', 'description', 'key', 'rules', 'type'), badText).map(([key, text]) => ({ [key]: key === 'rules' ? { field: 'genre', value: text } : text })),
  fc.array(badText, { minLength: 1, maxLength: 3 }).map((texts) => ({ tags: texts, nested: { deeper: [texts] } }))
)

function valueFor (schema: OpenAPIV3.SchemaObject | undefined): fc.Arbitrary<string> {
  const options: Array<fc.Arbitrary<string>> = [
    nasty,
    badUrlText,
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'grapheme', maxLength: 20 }),
    fc.integer({ min: -1_000_000_000_000, max: 1_000_000_000_000 }).map(String),
    fc.double().map(String),
    fc.uuid().map(String)
  ]
  const enumValues = schema?.enum ?? (schema?.anyOf as OpenAPIV3.SchemaObject[] | undefined)?.flatMap((s) => s.enum ?? [])
  if (enumValues !== undefined && enumValues.length > 0) options.push(fc.constantFrom(...enumValues.map(String)))
  if (schema?.type === 'integer' || schema?.type === 'number') options.push(fc.integer({ min: -5, max: 600 }).map(String))
  return fc.oneof(...options)
}

function parameters (op: Operation): OpenAPIV3.ParameterObject[] {
  return (op.operation.parameters ?? []) as OpenAPIV3.ParameterObject[]
}

function isEventStream (op: Operation): boolean {
  return Object.values(op.operation.responses).some((r) => 'content' in r && r.content !== undefined && 'text/event-stream' in r.content)
}

function requestArbitrary (op: Operation): fc.Arbitrary<{ url: string, body: string | undefined, query: Record<string, string> }> {
  const params = parameters(op)
  const pathParams = params.filter((p) => p.in === 'path')
  const queryParams = params.filter((p) => p.in === 'query')
  const pathValues = fc.tuple(...pathParams.map((p) => fc.tuple(valueFor(p.schema as OpenAPIV3.SchemaObject), fc.boolean())))
  const queryValues = fc.tuple(...queryParams.map((p) => fc.option(valueFor(p.schema as OpenAPIV3.SchemaObject), { nil: undefined })))
  // The body as JSON text.
  const body = op.operation.requestBody === undefined
    ? fc.constant(undefined)
    : fc.oneof(
      fc.oneof(
        fc.jsonValue({ maxDepth: 3 }),
        fc.dictionary(fc.constantFrom('isFavorite', 'bpm', 'key', 'energy', 'x', 'name', 'type', 'trackIds', 'description', 'rules', 'snapshotDate', 'username', 'password', 'role', 'displayName', 'oldPassword', 'newPassword', 'keepOtherKeys'), fc.jsonValue({ maxDepth: 2 })),
        jsonWithBadText
      ).map((value) => JSON.stringify(value)),
      deepJson,
      deepJson.map((deep) => `{"name":"x","type":"MANUAL","rules":${deep},"waveform":${deep}}`)
    )
  return fc.tuple(pathValues, queryValues, body).map(([pv, qv, b]) => {
    let url = op.template
    pathParams.forEach((p, i) => {
      const [value, encode] = pv[i]
      // Unencoded, control characters too are escaped: no client can put them raw in a request
      // line, and a URL parser drops a trailing one (which would route somewhere else).
      // eslint-disable-next-line no-control-regex
      const text = encode ? encodeURIComponent(value) : value.replace(/[?#\s\u0000-\u001f\u007f]/g, encodeURIComponent)
      url = url.replace(`{${p.name}}`, text === '' ? 'x' : text)
    })
    const query: Record<string, string> = {}
    queryParams.forEach((p, i) => { if (qv[i] !== undefined) query[p.name] = qv[i] as string })
    return { url, body: b, query }
  })
}

// Open (nobody signed up), and as a signed-in admin, whose calls get past the key check.
for (const signedIn of [false, true]) {
  t.test(`random parameters never produce a 5xx or an undocumented status (${signedIn ? 'as an admin' : 'open service'})`, async (t) => {
    const app = await build(t, signedIn ? { env: { ADMIN_USERNAME: 'fuzz', ADMIN_PASSWORD: 'fuzz password' } } : {})
    const login = signedIn ? await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'fuzz', password: 'fuzz password' } }) : null
    const auth: Record<string, string> = login === null ? {} : { authorization: `Bearer ${(login.json() as { key: string }).key}` }
    const doc = (await app.inject({ url: '/docs/json' })).json() as OpenAPIV3.Document
    const validator = new ContractValidator(doc)
    const operations = validator.operations.filter((op) => !isEventStream(op) && !op.template.startsWith('/docs'))
    t.ok(operations.length > 0, 'the document lists operations')

    for (const op of operations) {
      const failures: string[] = []
      await fc.assert(fc.asyncProperty(requestArbitrary(op), async ({ url, body, query }) => {
        const res = await app.inject({
          method: op.method as 'GET',
          url,
          query,
          ...(body === undefined ? { headers: auth } : { payload: body, headers: { ...auth, 'content-type': 'application/json' } })
        })
        if (res.statusCode >= 500) failures.push(`${op.method} ${url} ${JSON.stringify(query)} → ${res.statusCode} ${res.body.slice(0, 200)}`)
        // A random path value holding '/' may route elsewhere or nowhere: only documented
        // operations are held to a schema.
        const problems = validator.check({ method: op.method, url, status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.body })
          .filter((p) => !p.includes('no documented operation'))
        failures.push(...problems.map((p) => `${p} (${url} ${JSON.stringify(query)})`))
        return true
      }), { seed: SEED, numRuns: RUNS })
      t.same([...new Set(failures)].slice(0, 10), [], `${op.method} ${op.template}: ${RUNS} random requests, no 5xx, contract kept`)
      t.equal((await app.inject('/health')).statusCode, 200, `still answering after ${op.method} ${op.template}`)
    }
  })
}
