import fp from 'fastify-plugin'
import { loadConfig, type Config, type Env } from '../lib/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
    // Aborted when the process is asked to stop while still starting (see lib/process-entry.ts);
    // slow start-up steps check it before they begin.
    startup: AbortSignal
  }
}

export interface ConfigPluginOptions {
  // Tests and the process entries hand in a parsed config; otherwise the environment is read.
  config?: Config
  env?: Env
  startup?: AbortSignal
}

export default fp<ConfigPluginOptions>(async (fastify, opts) => {
  fastify.decorate('config', opts.config ?? loadConfig(opts.env ?? process.env))
  fastify.decorate('startup', opts.startup ?? new AbortController().signal)
}, { name: 'config', fastify: '5.x' })
