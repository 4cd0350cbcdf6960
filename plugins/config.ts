import fp from 'fastify-plugin'
import { loadConfig, type Config, type Env } from '../lib/config.js'

declare module 'fastify' {
  interface FastifyInstance {
    config: Config
  }
}

export interface ConfigPluginOptions {
  // Tests and the process entries hand in a parsed config; otherwise the environment is read.
  config?: Config
  env?: Env
}

export default fp<ConfigPluginOptions>(async (fastify, opts) => {
  fastify.decorate('config', opts.config ?? loadConfig(opts.env ?? process.env))
}, { name: 'config', fastify: '5.x' })
