import type { FastifyInstance, FastifyServerOptions } from 'fastify'
import AjvCompiler from '@fastify/ajv-compiler'
import sensible from '@fastify/sensible'
import configPlugin, { type ConfigPluginOptions } from './plugins/config.js'
import errorsPlugin, { frameworkErrors } from './plugins/errors.js'
import connectionGuardPlugin from './plugins/connection-guard.js'
import swaggerPlugin from './plugins/swagger.js'
import dbPlugin from './plugins/db.js'
import redisPlugin from './plugins/redis.js'
import corsPlugin from './plugins/cors.js'
import authPlugin from './plugins/auth.js'
import usersPlugin from './plugins/users.js'
import rateLimitPlugin from './plugins/rate-limit.js'
import finiteNumbersPlugin from './plugins/finite-numbers.js'
import inputGuardPlugin from './plugins/input-guard.js'
import pathGuardPlugin from './plugins/path-guard.js'
import transcoderPlugin from './plugins/transcoder.js'
import audioFilesPlugin from './plugins/audio-files.js'
import coversPlugin from './plugins/covers.js'
import queuePlugin from './plugins/queue.js'
import scanEventsPlugin from './plugins/scan-events.js'
import analysisPlugin from './plugins/analysis.js'
import analysisRoutes from './routes/analysis/index.js'
import scannerPlugin from './plugins/scanner.js'
import libraryPlugin from './plugins/library.js'
import responseCachePlugin from './plugins/response-cache.js'
import wholeListsPlugin from './plugins/whole-lists.js'
import playlistsPlugin from './plugins/playlists.js'
import startupSummaryPlugin from './plugins/startup-summary.js'
import opsPlugin from './plugins/ops.js'
import healthRoutes from './routes/health.js'
import scanRoutes from './routes/scan.js'
import streamRoutes from './routes/stream.js'
import libraryRoutes from './routes/library/index.js'
import coverRoutes from './routes/cover.js'
import userRoutes from './routes/users/index.js'
import subsonicRoutes from './routes/subsonic/index.js'
import subsonicHelp from './routes/subsonic/help.js'
import metricsRoutes from './routes/metrics.js'
import adminRoutes from './routes/admin/index.js'
import type { Config } from './lib/config.js'
import { processLoggerOptions } from './lib/logging/options.js'
import { QuietProbesLogController } from './plugins/quiet-probes.js'

export type AppOptions = ConfigPluginOptions

export { loggerOptions } from './lib/logging/options.js'

const AJV_OPTIONS = { coerceTypes: 'array', removeAdditional: false, allErrors: false } as const

// Query strings and paths are text, so their numbers and booleans are read from it (coercion),
// but a JSON body already has types: `"true"`, `[false]`, `0` or `null` where a boolean belongs is
// a client's mistake, never a value. Bodies get an Ajv without coercion.
type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>
function partAwareValidator (): ValidatorFactory {
  const coercing = AjvCompiler()
  const exact = AjvCompiler()
  return (externalSchemas) => {
    const forText = coercing(externalSchemas, { customOptions: { ...AJV_OPTIONS } })
    const forBody = exact(externalSchemas, { customOptions: { ...AJV_OPTIONS, coerceTypes: false } })
    return (route) => route.httpPart === 'body' ? forBody(route) : forText(route)
  }
}

// Options for the Fastify instance itself, shared by server.ts and the tests so both validate
// and serialise the same way.
export function serverOptions (config: Pick<Config, 'logLevel' | 'logFormat' | 'apiKey'>): FastifyServerOptions {
  return {
    logger: processLoggerOptions(config),
    logController: new QuietProbesLogController(),
    bodyLimit: 1024 * 1024,
    // PGlite's first start (initdb, migrations) can take far longer than Fastify's 10 s default
    // on a small home server or a busy machine.
    pluginTimeout: 120_000,
    // Tell a closing server's idle keep-alive sockets to go, but let in-flight responses finish.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    ajv: { customOptions: { ...AJV_OPTIONS } },
    frameworkErrors,
    schemaController: { compilersFactory: { buildValidator: partAwareValidator() } },
    routerOptions: {
      ignoreTrailingSlash: true,
      maxParamLength: 2048
    }
  }
}

export default async function app (fastify: FastifyInstance, opts: AppOptions): Promise<void> {
  await fastify.register(sensible)
  await fastify.register(configPlugin, opts)
  await fastify.register(errorsPlugin)
  await fastify.register(inputGuardPlugin)
  await fastify.register(connectionGuardPlugin)
  await fastify.register(swaggerPlugin)
  await fastify.register(dbPlugin)
  await fastify.register(redisPlugin)
  // CORS answers preflights before auth runs: a preflight never carries the key.
  await fastify.register(corsPlugin)
  await fastify.register(usersPlugin)
  await fastify.register(authPlugin)
  await fastify.register(rateLimitPlugin)
  await fastify.register(finiteNumbersPlugin)
  await fastify.register(pathGuardPlugin)
  await fastify.register(transcoderPlugin)
  await fastify.register(audioFilesPlugin)
  await fastify.register(coversPlugin)
  await fastify.register(queuePlugin)
  await fastify.register(scanEventsPlugin)
  await fastify.register(analysisPlugin)
  await fastify.register(scannerPlugin)
  await fastify.register(libraryPlugin)
  await fastify.register(responseCachePlugin)
  await fastify.register(wholeListsPlugin)
  await fastify.register(playlistsPlugin)
  await fastify.register(opsPlugin)
  await fastify.register(startupSummaryPlugin)

  await fastify.register(healthRoutes)
  await fastify.register(scanRoutes)
  await fastify.register(streamRoutes)
  await fastify.register(libraryRoutes, { prefix: '/api/library' })
  await fastify.register(coverRoutes)
  await fastify.register(userRoutes, { prefix: '/api' })
  await fastify.register(subsonicRoutes, { prefix: '/rest' })
  await fastify.register(subsonicHelp)
  await fastify.register(metricsRoutes)
  await fastify.register(adminRoutes, { prefix: '/api/admin' })
  await fastify.register(analysisRoutes, { prefix: '/api/analysis' })
}
