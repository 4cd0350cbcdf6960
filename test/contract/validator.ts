// Validates real responses against the OpenAPI document the service publishes: the status code
// must be documented for the operation, and the body must match the schema documented for it.
import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsImport from 'ajv-formats'
import type { OpenAPIV3 } from 'openapi-types'

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv

export interface Operation {
  method: string
  template: string
  pattern: RegExp
  operation: OpenAPIV3.OperationObject
}

export interface ResponseSample {
  method: string
  url: string
  status: number
  contentType: string | undefined
  body: string
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'] as const

// OpenAPI keywords that are annotations, not assertions; strict ajv must be told about them.
const ANNOTATIONS = ['example', 'xml', 'externalDocs', 'discriminator']

function rewriteRefs (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs)
  if (value === null || typeof value !== 'object') return value
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$ref' && typeof inner === 'string') out.$ref = inner.replace('#/components/schemas/', 'openapi#/definitions/')
    else out[key] = rewriteRefs(inner)
  }
  return out
}

function templatePattern (template: string): RegExp {
  const escaped = template.split(/(\{[^}]+\})/).map((part) => {
    // A library-relative file path keeps its slashes.
    if (/^\{(\*|wildcard|filePath)\}$/.test(part)) return '.+'
    if (/^\{[^}]+\}$/.test(part)) return '[^/]+'
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }).join('')
  return new RegExp(`^${escaped.replace(/\\\*$/, '.+')}$`)
}

export class ContractValidator {
  readonly operations: Operation[] = []
  private readonly ajv: Ajv
  private readonly compiled = new Map<string, ValidateFunction>()

  constructor (readonly doc: OpenAPIV3.Document) {
    this.ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false, allowUnionTypes: true })
    addFormats(this.ajv)
    this.ajv.addFormat('binary', true)
    for (const keyword of ANNOTATIONS) if (this.ajv.getKeyword(keyword) === false) this.ajv.addKeyword(keyword)
    this.ajv.addSchema({ $id: 'openapi', definitions: rewriteRefs(doc.components?.schemas ?? {}) as Record<string, object> })
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const operation = item?.[method]
        if (operation !== undefined) this.operations.push({ method: method.toUpperCase(), template, pattern: templatePattern(template), operation })
      }
    }
    // Literal paths win over templated ones (/api/library/search before /api/library/{x}), and
    // among templated ones the more literal text the better (/playlists/{id}.m3u8 before /playlists/{id}).
    const literal = (template: string): number => template.replace(/\{[^}]+\}/g, '').length
    this.operations.sort((a, b) => (a.template.includes('{') ? 1 : 0) - (b.template.includes('{') ? 1 : 0) ||
      (a.template.includes('{') ? literal(b.template) - literal(a.template) : 0))
  }

  find (method: string, url: string): Operation | undefined {
    const path = url.split('?')[0]
    const wanted = method.toUpperCase() === 'HEAD' ? ['HEAD', 'GET'] : [method.toUpperCase()]
    for (const m of wanted) {
      const op = this.operations.find((o) => o.method === m && o.pattern.test(path))
      if (op !== undefined) return op
    }
    return undefined
  }

  // Returns the problems found; an empty list means the response honours the contract.
  check (sample: ResponseSample): string[] {
    const op = this.find(sample.method, sample.url)
    if (op === undefined) return [`${sample.method} ${sample.url}: no documented operation`]
    const where = `${op.method} ${op.template} → ${sample.status}`
    const response = (op.operation.responses[String(sample.status)] ?? op.operation.responses.default) as OpenAPIV3.ResponseObject | undefined
    if (response === undefined) return [`${where}: status ${sample.status} is not documented`]
    if (sample.method.toUpperCase() === 'HEAD' || sample.status === 304 || sample.status === 204) return []
    const content = response.content ?? {}
    const mediaTypes = Object.keys(content)
    if (mediaTypes.length === 0) return sample.body === '' ? [] : [`${where}: documents no body but one was sent`]
    const type = (sample.contentType ?? '').split(';')[0].trim()
    const mediaType = mediaTypes.find((m) => m === type) ??
      mediaTypes.find((m) => m.endsWith('/*') && type.startsWith(m.slice(0, -1))) ??
      mediaTypes.find((m) => m === '*/*')
    if (mediaType === undefined) return [`${where}: content type "${type}" is not one of ${mediaTypes.join(', ')}`]
    if (!/json/.test(mediaType)) return []
    const schema = content[mediaType].schema
    if (schema === undefined) return []
    let body: unknown
    try {
      body = JSON.parse(sample.body)
    } catch {
      return [`${where}: body is not JSON`]
    }
    const key = `${op.method} ${op.template} ${sample.status} ${mediaType}`
    let validate = this.compiled.get(key)
    if (validate === undefined) {
      validate = this.ajv.compile(rewriteRefs(schema) as object)
      this.compiled.set(key, validate)
    }
    if (validate(body)) return []
    return (validate.errors ?? []).map((e) => `${where}: body${e.instancePath} ${e.message ?? 'is invalid'}`)
  }
}
