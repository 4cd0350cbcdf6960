// Query and path values are text, and Ajv's coercion reads a number from it the way JavaScript
// does: `0x10` is 16, `  1` is 1, `1e1` is 10. A client that sends those has a bug; only plain
// decimals are numbers here. A leading minus stays valid, so that range checks (`minimum`) in the
// schema decide about negative values.
const DECIMAL_INTEGER = /^-?[0-9]+$/
const DECIMAL_NUMBER = /^-?[0-9]+(\.[0-9]+)?$/

interface JsonSchemaLike {
  type?: string | string[]
  anyOf?: JsonSchemaLike[]
  oneOf?: JsonSchemaLike[]
  properties?: Record<string, JsonSchemaLike>
}

function typesOf (schema: JsonSchemaLike): Set<string> {
  const out = new Set<string>()
  const pending = [schema]
  while (pending.length > 0) {
    const s = pending.pop() as JsonSchemaLike
    if (typeof s.type === 'string') out.add(s.type)
    else if (Array.isArray(s.type)) for (const t of s.type) out.add(t)
    pending.push(...(s.anyOf ?? []), ...(s.oneOf ?? []))
  }
  return out
}

// The first property whose schema wants a number and whose raw text is not a plain decimal;
// null when every one is.
export function firstNonDecimal (schema: unknown, raw: unknown): { key: string, integer: boolean } | null {
  if (schema === null || typeof schema !== 'object' || raw === null || typeof raw !== 'object') return null
  const properties = (schema as JsonSchemaLike).properties ?? {}
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const property = properties[key]
    if (property === undefined) continue
    const types = typesOf(property)
    if (types.has('string') || !(types.has('integer') || types.has('number'))) continue
    const integer = !types.has('number')
    const pattern = integer ? DECIMAL_INTEGER : DECIMAL_NUMBER
    const values = Array.isArray(value) ? value : [value]
    if (values.some((v) => typeof v === 'string' && !pattern.test(v))) return { key, integer }
  }
  return null
}
