import { EventEmitter } from 'node:events'
import fp from 'fastify-plugin'
import type { Redis } from 'ioredis'
import type { PublishedScanEvent, ScanEventBus } from '../lib/scan/scan-events.js'

declare module 'fastify' {
  interface FastifyInstance {
    // Scan events from whichever process runs the scan: Redis pub/sub when configured.
    scanEvents: ScanEventBus
  }
}

const EVENT = 'scan-event'

export default fp(async (fastify) => {
  const local = new EventEmitter()
  local.setMaxListeners(0)
  const publisher = fastify.redis

  if (publisher === null) {
    fastify.decorate('scanEvents', {
      publish: async (event: PublishedScanEvent) => { local.emit(EVENT, event) },
      subscribe: async (listener: (event: PublishedScanEvent) => void) => {
        local.on(EVENT, listener)
        return () => { local.off(EVENT, listener) }
      },
      hasListeners: async () => local.listenerCount(EVENT) > 0
    } satisfies ScanEventBus)
    return
  }

  const channel = `${fastify.config.redisPrefix}:scan-events`
  // Subscribed only while this process has listeners, so PUBSUB NUMSUB counts real audiences.
  let subscriber: Redis | null = null
  let subscribing: Promise<unknown> | null = null

  const ensureSubscribed = async (): Promise<void> => {
    if (subscriber === null) {
      subscriber = publisher.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: 1, lazyConnect: false })
      subscriber.on('error', (err) => fastify.log.debug({ err }, 'scan event subscriber error'))
      subscriber.on('message', (_channel: string, message: string) => {
        try {
          local.emit(EVENT, JSON.parse(message) as PublishedScanEvent)
        } catch (err) {
          fastify.log.warn({ err }, 'unreadable scan event')
        }
      })
    }
    subscribing ??= subscriber.subscribe(channel).catch((err: unknown) => {
      subscribing = null
      throw err
    })
    await subscribing
  }

  fastify.decorate('scanEvents', {
    publish: async (event: PublishedScanEvent) => {
      try {
        await publisher.publish(channel, JSON.stringify(event))
      } catch (err) {
        // Progress events are advisory: a Redis hiccup must not fail the scan.
        fastify.log.warn({ err, type: event.type }, 'could not publish a scan event')
      }
    },
    subscribe: async (listener: (event: PublishedScanEvent) => void) => {
      await ensureSubscribed()
      local.on(EVENT, listener)
      return () => {
        local.off(EVENT, listener)
        if (local.listenerCount(EVENT) === 0 && subscriber !== null && subscribing !== null) {
          subscribing = null
          subscriber.unsubscribe(channel).catch(() => {})
        }
      }
    },
    hasListeners: async () => {
      try {
        const reply = await publisher.call('PUBSUB', 'NUMSUB', channel) as [string, number | string]
        return Number(reply[1]) > 0
      } catch {
        return false
      }
    }
  } satisfies ScanEventBus)

  fastify.addHook('onClose', async () => {
    subscriber?.disconnect()
  })
}, { name: 'scan-events', dependencies: ['config', 'redis'], fastify: '5.x' })
