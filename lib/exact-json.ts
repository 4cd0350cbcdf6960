// Checks a JSON body against its TypeBox schema exactly as sent. The service's Ajv coerces types
// (query strings need it), which in a body would turn "3" into 3, true into 1, [3] into 3 and
// even 0 into null (clearing a rating instead of refusing it). A body checked here first never
// reaches that coercion with a value of the wrong type.
import type { TSchema } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'

function describe (schema: TSchema): string {
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as TSchema[]).map(describe).join(' or ')
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const kind = schema.type === 'integer' ? 'an integer' : 'a number'
      if (typeof schema.minimum === 'number' && typeof schema.maximum === 'number') return `${kind} from ${schema.minimum} to ${schema.maximum}`
      return kind
    }
    // Ajv's own words, so a message does not depend on which of the two caught it.
    case 'boolean': return 'boolean'
    case 'null': return 'null'
    case 'string': return 'a string'
    case 'object': return 'an object'
    case 'array': return 'an array'
    default: return 'valid'
  }
}

/** The first problem with `value` as "body/field must be …", or null when it matches exactly. */
export function exactMismatch (schema: TSchema, value: unknown, part = 'body'): string | null {
  const first = Value.Errors(schema, value).First()
  if (first === undefined) return null
  const where = `${part}${first.path}`
  if (first.path !== '' && /^Unexpected property/.test(first.message)) return `${part} must NOT have additional properties (${first.path.slice(1)})`
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value)
  if (first.path === '' && isObject && typeof schema.minProperties === 'number' && Object.keys(value).length < schema.minProperties) {
    return `${part} must set at least one of ${Object.keys(schema.properties ?? {}).join(', ')}`
  }
  return `${where} must be ${describe(first.schema)}`
}
