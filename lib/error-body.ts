import { STATUS_CODES } from 'node:http'
import type { Static } from '@sinclair/typebox'
import type { ErrorResponse } from '../schemas/common.js'

export type ErrorBody = Static<typeof ErrorResponse>

// The one error shape every 4xx and 5xx carries, whoever answers: the error handler, a hook
// that refuses early, a route that answers a status itself, or a socket refused before HTTP.
// The reason phrase always matches the status; `code` only when there is one.
export function errorBody (statusCode: number, message: string, code?: string): ErrorBody {
  const error = STATUS_CODES[statusCode] ?? (statusCode >= 500 ? 'Internal Server Error' : 'Error')
  return code === undefined ? { statusCode, error, message } : { statusCode, error, message, code }
}
