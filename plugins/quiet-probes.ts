// Fastify's log controller, set in serverOptions (app.ts); it lives beside the plugins because lib/
// never imports Fastify.
// Health probes and metric scrapes arrive every few seconds for as long as the service runs: at
// info their request lines would bury everything else. A probe that succeeds logs at debug; one
// that fails (a 503 from /health/ready, a scraper without a key) and any error still log as usual.
import { LogController, type FastifyReply, type FastifyRequest } from 'fastify'

// Route patterns, never raw URLs: `/health/`, `/health?x` and HEAD /health are the same route.
const PROBE_ROUTES = new Set(['/health', '/health/ready', '/metrics'])

function isProbe (request: FastifyRequest): boolean {
  const route = request.routeOptions.url
  return route !== undefined && PROBE_ROUTES.has(route)
}

export class QuietProbesLogController extends LogController {
  override incomingRequest (request: FastifyRequest, reply: FastifyReply): void {
    if (!isProbe(request)) return super.incomingRequest(request, reply)
    if (!this.isLogDisabled(request)) request.log.debug({ req: request }, 'incoming request')
  }

  override requestCompleted (error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!isProbe(request) || (error !== null && error !== undefined)) return super.requestCompleted(error, request, reply)
    if (this.isLogDisabled(request)) return
    const line = { req: request, res: reply, responseTime: reply.elapsedTime }
    // Its incoming line was at debug: a failed probe names itself.
    if (reply.statusCode >= 400) reply.log.info(line, 'request completed')
    else reply.log.debug(line, 'request completed')
  }
}
