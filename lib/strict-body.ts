// Validates a JSON body exactly as sent: the app's shared validator coerces types (for query
// strings, where everything arrives as text), but a body that says "watchFolders": "yes" is a
// client's mistake to be told about, not a value to be guessed at.
import type { TSchema } from '@sinclair/typebox'
import { TypeCompiler } from '@sinclair/typebox/compiler'
import { ValueErrorType } from '@sinclair/typebox/errors'

export type BodyCheck = (data: unknown) => { value: unknown } | { error: Error }

function describe (path: string): string {
  return path === '' ? 'body' : `body/${path.slice(1)}`
}

export function strictBody (schema: TSchema): BodyCheck {
  const check = TypeCompiler.Compile(schema)
  return (data) => {
    if (check.Check(data)) return { value: data }
    const errors = [...check.Errors(data)]
    // Every unknown property is named at once, so a client fixes them in one go.
    const unknown = errors.filter((e) => e.type === ValueErrorType.ObjectAdditionalProperties).map((e) => e.path.slice(1))
    const allowed = Object.keys((schema as { properties?: Record<string, unknown> }).properties ?? {})
    const message = unknown.length > 0
      ? `body has unknown propert${unknown.length === 1 ? 'y' : 'ies'} ${unknown.map((n) => `'${n}'`).join(', ')}; allowed: ${allowed.join(', ')}`
      : `${describe(errors[0]?.path ?? '')}: ${errors[0]?.message ?? 'is invalid'}`
    return { error: Object.assign(new Error(message), { statusCode: 400 }) }
  }
}
