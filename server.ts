import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import app, { serverOptions } from './app.js'
import { exitGracefullyOnSignals, readConfigOrExit } from './lib/process-entry.js'

const config = readConfigOrExit()
const fastify = Fastify(serverOptions(config)).withTypeProvider<TypeBoxTypeProvider>()
const lifecycle = exitGracefullyOnSignals(fastify, { graceMs: 25_000, message: 'shutting down: finishing in-flight requests' })
fastify.log.info({ database: config.postgresUrl === null ? 'embedded' : 'postgres' }, 'starting')

try {
  await fastify.register(app, { config, startup: lifecycle.startup })
  // Listening runs the onReady hooks, among them a scan on start-up.
  lifecycle.startup.throwIfAborted()
  await fastify.listen({ port: config.port, host: config.host })
  lifecycle.started()
} catch (err) {
  await lifecycle.startupFailed(err, fastify.log)
}
