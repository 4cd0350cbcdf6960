// Readable lines for a terminal. pino-pretty reads each line after pino has serialised it, so
// every redaction (lib/log-redact.ts: keys in URLs, Authorization headers) has already happened.
import PinoPretty, { type PrettyOptions } from 'pino-pretty'
import type { DestinationStream } from 'pino'

interface RequestFields { method?: string, url?: string }

function requestText (log: Record<string, unknown>): string | null {
  const req = log.req as RequestFields | undefined
  return req?.method === undefined ? null : `${req.method} ${req.url ?? ''}`
}

// Fastify's request lines as a person reads them: `→ GET /path` when one comes in,
// `← 200 in 3.1 ms` when it is answered, tied together by the request id.
export function formatMessage (log: Record<string, unknown>, messageKey: string): string {
  const msg = typeof log[messageKey] === 'string' ? log[messageKey] : ''
  const id = typeof log.reqId === 'string' ? `${log.reqId} ` : ''
  const request = requestText(log)
  const status = (log.res as { statusCode?: number } | undefined)?.statusCode
  if (msg === 'incoming request' && request !== null) return `${id}→ ${request}`
  if (msg === 'request completed' && status !== undefined) {
    const took = typeof log.responseTime === 'number' ? ` in ${log.responseTime.toFixed(1)} ms` : ''
    return `${id}← ${status}${took}${request === null ? '' : ` (${request})`}`
  }
  const about = [request, status === undefined ? null : String(status)].filter((part) => part !== null)
  return `${id}${msg}${about.length === 0 ? '' : ` (${about.join(' ')})`}`
}

export const PRETTY_OPTIONS: PrettyOptions = {
  translateTime: 'SYS:HH:MM:ss.l',
  // Shown in the message instead; `summary` repeats the start-up line's text for machines.
  ignore: 'pid,hostname,reqId,req,res,responseTime,summary',
  messageFormat: formatMessage,
  singleLine: true
}

// Synchronous like pino's own stdout, so the last line before process.exit() is not lost.
export function prettyStream (): DestinationStream {
  return PinoPretty({ ...PRETTY_OPTIONS, sync: true, destination: 1 })
}
