import t from 'tap'
import { buildWithEnv, testEnv } from '../helper.js'
import { privatePostgresAvailable, startPrivatePostgres, startPrivateRedis } from '../fixtures/private-services.js'
import type { FastifyInstance } from 'fastify'

async function readyUntil (app: FastifyInstance, status: number, timeoutMs: number): Promise<{ statusCode: number, body: unknown, waitedMs: number }> {
  const started = Date.now()
  for (;;) {
    const res = await app.inject('/health/ready')
    if (res.statusCode === status || Date.now() - started > timeoutMs) {
      return { statusCode: res.statusCode, body: res.json(), waitedMs: Date.now() - started }
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

t.test('readiness follows PostgreSQL and Redis going down and coming back, without a restart', {
  skip: (await privatePostgresAvailable()) ? false : 'PostgreSQL server binaries are not installed'
}, async (t) => {
  const pg = await startPrivatePostgres(t)
  const redis = await startPrivateRedis(t)
  const { env } = await testEnv(t, { env: { POSTGRES_URL: pg.url, REDIS_HOST: redis.host, REDIS_PORT: String(redis.port) } })
  const app = await buildWithEnv(t, env)

  t.equal((await app.inject('/health/ready')).statusCode, 200, 'ready with both up')

  await pg.stop()
  const down = await readyUntil(app, 503, 10_000)
  t.equal(down.statusCode, 503, 'database down is reported within seconds')
  t.match(down.body, { status: 'unavailable', checks: { database: 'down', redis: 'up', transcoder: 'up' }, down: ['database'], analysis: { enabled: false, lastResultAt: null } })
  t.equal((await app.inject('/health')).statusCode, 200, 'liveness stays 200')

  await pg.start()
  const back = await readyUntil(app, 200, 15_000)
  t.equal(back.statusCode, 200, 'database back: ready again with no restart')

  await redis.stop()
  const redisDown = await readyUntil(app, 503, 10_000)
  t.match(redisDown.body, { status: 'unavailable', checks: { database: 'up', redis: 'down', transcoder: 'up' }, down: ['redis'], analysis: { enabled: false } })

  await redis.start()
  const redisBack = await readyUntil(app, 200, 15_000)
  t.equal(redisBack.statusCode, 200, 'redis back: ready again with no restart')
})
