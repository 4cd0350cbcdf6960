import { Type } from '@sinclair/typebox'

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer({ minimum: 400, maximum: 599 }),
  error: Type.String({ description: 'HTTP reason phrase' }),
  message: Type.String({ description: 'What went wrong, for a person to read' }),
  code: Type.Optional(Type.String({ description: 'Machine-readable error code, when there is one' }))
}, { $id: 'ErrorResponse', title: 'Error', description: 'The shape of every 4xx and 5xx response' })

export const DateTime = Type.String({ format: 'date-time' })

export const SORT_ORDERS = ['asc', 'desc'] as const
export type SortOrder = typeof SORT_ORDERS[number]

export const ErrorRef = Type.Ref(ErrorResponse)

// Every id the API hands out or takes.
export const Uuid = Type.String({ format: 'uuid' })
// An id in a path, where the document has no field name to say what it is.
export const UuidParam = Type.String({ ...Uuid, description: 'A UUID' })

export const IdParams = Type.Object({ id: UuidParam })

// Shared error responses by status code, for route schemas to spread in.
export function errors (...codes: Array<400 | 401 | 403 | 404 | 409 | 412 | 413 | 415 | 416 | 429 | 500 | 503>): Record<number, typeof ErrorRef> {
  const out: Record<number, typeof ErrorRef> = {}
  for (const code of codes) out[code] = ErrorRef
  return out
}

// For responses that carry an ETag: the client's copy (If-None-Match) is still current.
export const NotModified = { description: 'The copy the client holds (If-None-Match) is still current', type: 'null' } as const
