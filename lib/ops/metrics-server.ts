// The plain HTTP server behind a worker's /metrics (plugins/worker-metrics.ts). It has no key, so
// it holds little: a few connections at once (a scraper needs one), and a connection that does
// not finish its request in a few seconds, or sits idle after an answer, is closed. Without
// these limits every socket that never finished its headers kept a descriptor for a minute.
import { createServer, type Server } from 'node:http'
import type { Registry } from 'prom-client'

export interface MetricsServerLimits {
  // Connections open at once; those beyond it are closed as they arrive.
  maxConnections: number
  // Time for a request's headers, and for the whole request, to arrive.
  requestTimeoutMs: number
  // How long a kept-alive connection may sit idle between requests.
  keepAliveTimeoutMs: number
}

export const METRICS_SERVER_LIMITS: MetricsServerLimits = { maxConnections: 16, requestTimeoutMs: 5000, keepAliveTimeoutMs: 5000 }

export function createMetricsServer (
  registry: Registry,
  onError: (err: unknown) => void,
  limits: MetricsServerLimits = METRICS_SERVER_LIMITS
): Server {
  const server = createServer({
    headersTimeout: limits.requestTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node looks for requests past their time every 30 s by default: a timeout of a few
    // seconds needs a closer look.
    connectionsCheckingInterval: Math.max(100, Math.min(1000, Math.floor(limits.requestTimeoutMs / 5)))
  }, (req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n')
      return
    }
    registry.metrics().then((text) => {
      res.writeHead(200, { 'content-type': registry.contentType }).end(text)
    }, (err: unknown) => {
      onError(err)
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('metrics could not be read\n')
    })
  })
  server.maxConnections = limits.maxConnections
  // A socket that goes quiet mid-request (some bytes of headers, then nothing) is cut after
  // the same time, even between the server's checks.
  server.setTimeout(limits.requestTimeoutMs, (socket) => { socket.destroy() })
  return server
}
