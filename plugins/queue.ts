import fp from 'fastify-plugin'
import type { JobQueue } from '../lib/queue/job-queue.js'
import { createMemoryQueue } from '../lib/queue/memory-queue.js'
import { distinctErrors } from '../lib/distinct-errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    // BullMQ when REDIS_HOST is set, else an in-process runner; both behind one interface.
    queue: JobQueue
  }
}

export default fp(async (fastify) => {
  const { redisHost, redisPort, redisPrefix, jobLockMs } = fastify.config
  const queueErrors = distinctErrors()
  // BullMQ (and ioredis under it) is loaded only with Redis: without it, its code (~7 MB resident)
  // would sit unused in every in-process installation.
  const queue = redisHost === null
    ? createMemoryQueue({
      onError: (name, jobId, err) => fastify.log.error({ err, queue: name, jobId }, 'job failed')
    })
    : (await import('../lib/queue/bullmq-queue.js')).createBullQueue({
        host: redisHost,
        port: redisPort,
        prefix: redisPrefix,
        lockMs: jobLockMs,
        onError: (where, err) => {
        // A Redis outage repeats the same error every retry; log each distinct one once.
          if (queueErrors.isNew(err)) fastify.log.warn({ err, where }, 'job queue error')
        }
      })
  fastify.decorate('queue', queue)
  if (queue.durable) {
    // Finished jobs no longer stay in Redis; those an earlier version kept would stay for good.
    fastify.addHook('onReady', async () => {
      try {
        const dropped = await queue.dropCompleted()
        if (dropped > 0) fastify.log.info({ dropped }, 'removed finished jobs kept in Redis by an earlier version')
      } catch (err) {
        fastify.log.warn({ err }, 'could not remove finished jobs from Redis; the next start tries again')
      }
    })
  }
  fastify.addHook('onClose', async () => {
    await queue.close()
  })
}, { name: 'queue', dependencies: ['config'], fastify: '5.x' })
