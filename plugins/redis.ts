import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import { withTimeout } from '../lib/dependency-errors.js'
import { distinctErrors } from '../lib/distinct-errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    // null when REDIS_HOST is unset: jobs then run in-process.
    redis: Redis | null
    redisPing: (timeoutMs?: number) => Promise<void>
  }
}

// @fastify/redis waits for the first 'ready' before the app may start, so a Redis that is down
// at boot would stop the API from serving its library. We create the client ourselves instead
// and let ioredis reconnect in the background; /health/ready reports it down meanwhile.
export default fp(async (fastify) => {
  const { redisHost, redisPort } = fastify.config
  if (redisHost === null) {
    fastify.decorate('redis', null)
    fastify.decorate('redisPing', async () => {})
    return
  }

  // Loaded only when configured: the Redis client stack costs a few MB of resident memory that an
  // installation without Redis has no use for.
  const { Redis } = await import('ioredis')
  const client = new Redis({
    host: redisHost,
    port: redisPort,
    lazyConnect: true,
    // Commands fail at once while disconnected rather than queueing behind a dead socket.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 200, 2000)
  })
  const errors = distinctErrors()
  client.on('error', (err: Error) => {
    if (errors.isNew(err)) fastify.log.warn({ err }, 'redis connection error')
  })
  client.on('ready', () => {
    if (errors.recovered()) fastify.log.info('redis connection restored')
  })
  try {
    await withTimeout(client.connect(), 3000, 'redis')
  } catch (err) {
    fastify.log.warn({ err }, 'redis is not reachable yet; retrying in the background')
  }

  fastify.decorate('redis', client)
  fastify.decorate('redisPing', async (timeoutMs = 1000) => {
    await withTimeout(client.ping(), timeoutMs, 'redis')
  })
  fastify.addHook('onClose', async () => {
    if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
    else client.disconnect()
  })
}, { name: 'redis', dependencies: ['config'], fastify: '5.x' })
