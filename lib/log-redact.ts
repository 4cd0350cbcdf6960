// Secrets a request may carry, kept out of log lines. Plain functions, no Fastify.

export const REDACTED = '[REDACTED]'

// Query parameters whose values are credentials. Names are compared after the same decoding
// the auth check applies (URLSearchParams), so `api%5Fkey=` is caught as well as `api_key=`.
// Subsonic apps send theirs as apiKey, as p (a password, here an app key, maybe hex-encoded as
// enc:...), or as t and s (a hash of the password with its salt, as good as the password).
const SECRET_PARAMS = new Set(['api_key', 'apikey', 'p', 't', 's'])

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
  // Everything after the `?` is the query, a `#` included: that is how the auth check reads it
  // (a request target has no fragment), so a key hidden behind one must be hidden here too.
  let changed = false
  const pairs = url.slice(q + 1).split(/([&#])/).map((pair) => {
    // Names in another case are not keys, but were meant as one: hidden all the same.
    if (!SECRET_PARAMS.has(paramName(pair).toLowerCase())) return pair
    changed = true
    return `${pair.slice(0, pair.includes('=') ? pair.indexOf('=') : pair.length)}=${REDACTED}`
  })
  if (!changed) return url
  return `${url.slice(0, q + 1)}${pairs.join('')}`
}

// Errors as pino writes them, minus the raw bytes of a request the HTTP parser refused (Node
// attaches them to client errors): those bytes hold its Authorization header and query.
export function serializeError<T extends Record<string, unknown>> (serialize: (err: Error) => T): (err: Error) => T {
  return (err) => {
    const line = { ...serialize(err) }
    delete line.rawPacket
    return line
  }
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

// The configured key's value, masked wherever it appears in a logged URL: in a form the service
// refuses (`;api_key=`, `api_key[]=`, a path segment, userinfo of an absolute-form target) it
// is still the key.
export function maskSecrets (text: string, secrets: readonly string[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret === '') continue
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join(REDACTED)
  }
  // Spelled with percent-escapes of its own (`Shared%4Bey`), the key is still the key: with no
  // telling which bytes it spans, the URL goes whole.
  const decoded = safelyDecoded(out)
  if (secrets.some((secret) => secret !== '' && decoded.includes(secret))) return REDACTED
  return out
}

function safelyDecoded (text: string): string {
  try {
    return decodeURIComponent(text)
  } catch {
    return text
  }
}

// Users' keys (lib/users/api-keys.ts: "snt_" and 43 base64url characters) look like nothing
// else, so they are masked wherever a URL holds one, under a misspelt name (`;api_key=`,
// `api_key%00=`), in a path segment or percent-encoded; and so is the password of an
// absolute-form target's userinfo (`http://user:password@host/...`).
const USER_KEY = /snt(?:_|%5f)(?:[A-Za-z0-9_-]|%[0-9a-f]{2}){20,}/gi
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/?#@:]*:)[^/?#@]*@/i

function maskCredentials (url: string): string {
  return url.replace(USER_KEY, REDACTED).replace(USERINFO_PASSWORD, `$1${REDACTED}@`)
}

export function requestSerializer (secrets: readonly string[]): (req: RequestLike) => Record<string, unknown> {
  return (req) => {
    const line = serializeRequest(req)
    return { ...line, url: maskSecrets(maskCredentials(line.url as string), secrets) }
  }
}
