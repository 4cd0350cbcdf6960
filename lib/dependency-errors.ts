// Errors that mean "a service we depend on is unreachable", as opposed to a bug or a bad request.
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'
])

// PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention:
// admin shutdown, crash shutdown, cannot connect now) plus 53 (insufficient resources).
const PG_UNAVAILABLE = /^(08|57P|53)/

const MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection is closed',
  'Stream isn\'t writeable',
  'MaxRetriesPerRequestError',
  'Reached the max retries per request limit',
  'PGlite is closed',
  // A request still in flight while the service shuts down.
  'Cannot use a pool after calling end on the pool'
]

export function isDependencyDown (err: unknown): boolean {
  if (err === null || typeof err !== 'object') return false
  const e = err as { code?: unknown, message?: unknown, name?: unknown, cause?: unknown, errors?: unknown }
  if (typeof e.code === 'string' && (NETWORK_CODES.has(e.code) || PG_UNAVAILABLE.test(e.code))) return true
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'DependencyDownError') return true
  if (typeof e.message === 'string' && MESSAGES.some((m) => (e.message as string).includes(m))) return true
  if (Array.isArray(e.errors) && e.errors.some(isDependencyDown)) return true
  return e.cause !== undefined && e.cause !== err && isDependencyDown(e.cause)
}

export class DependencyDownError extends Error {
  constructor (readonly dependency: string, message: string) {
    super(message)
    this.name = 'DependencyDownError'
  }
}

export function withTimeout<T> (promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DependencyDownError(what, `${what} did not answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}
