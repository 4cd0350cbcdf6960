// Secrets a request may carry, kept out of log lines. Plain functions, no Fastify.

export const REDACTED = '[REDACTED]'

// Query parameters whose values are credentials. Names are compared after the same decoding
// the auth check applies (URLSearchParams), so `api%5Fkey=` is caught as well as `api_key=`.
const SECRET_PARAMS = new Set(['api_key'])

function paramName (pair: string): string {
  const eq = pair.indexOf('=')
  const raw = eq === -1 ? pair : pair.slice(0, eq)
  return new URLSearchParams(`${raw}=`).keys().next().value ?? ''
}

// The URL as received with every credential value replaced; everything else is left byte for
// byte, so the line still shows what the client sent.
export function redactUrl (url: string): string {
  const q = url.indexOf('?')
  if (q === -1) return url
  const hash = url.indexOf('#', q)
  const query = url.slice(q + 1, hash === -1 ? undefined : hash)
  let changed = false
  const pairs = query.split('&').map((pair) => {
    if (!SECRET_PARAMS.has(paramName(pair))) return pair
    changed = true
    return `${pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length)}=${REDACTED}`
  })
  if (!changed) return url
  return `${url.slice(0, q + 1)}${pairs.join('&')}${hash === -1 ? '' : url.slice(hash)}`
}

interface RequestLike {
  method: string
  url: string
  host?: string
  ip?: string
  headers?: Record<string, string | string[] | undefined>
  socket?: { remotePort?: number }
}

// Fastify's request serializer, minus the secrets: the fields Fastify logs by default, with the
// URL redacted. Headers are never logged, so Authorization cannot reach a line through here.
export function serializeRequest (req: RequestLike): Record<string, unknown> {
  return {
    method: req.method,
    url: redactUrl(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}
