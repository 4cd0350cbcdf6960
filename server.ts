import Fastify from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import app, { serverOptions } from './app.js'
import { exitGracefullyOnSignals, readConfigOrExit } from './lib/process-entry.js'

const config = readConfigOrExit()
const fastify = Fastify(serverOptions(config)).withTypeProvider<TypeBoxTypeProvider>()
exitGracefullyOnSignals(fastify, { graceMs: 25_000, message: 'shutting down: finishing in-flight requests' })

try {
  await fastify.register(app, { config })
  await fastify.listen({ port: config.port, host: config.host })
} catch (err) {
  fastify.log.fatal({ err }, 'start-up failed')
  process.exit(1)
}
