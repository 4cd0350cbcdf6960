import t from 'tap'
import { build, eachVariant } from '../helper.js'

t.test('health on every backend', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const app = await build(t, { backend: v.backend, redis: v.redis })

    const live = await app.inject('/health')
    t.equal(live.statusCode, 200)
    t.same(live.json(), { status: 'ok', service: 'sonantica-core', version: '0.1.0' })

    const ready = await app.inject('/health/ready')
    t.equal(ready.statusCode, 200)
    t.same(ready.json(), {
      status: 'ready',
      checks: { database: 'up', redis: v.redis ? 'up' : 'disabled', transcoder: 'up' },
      down: [],
      analysis: { enabled: false, maxPending: 100_000, pending: 0, consumers: 0, lastResultAt: null, consumerSeen: false }
    })
  })
})

t.test('unknown routes get the one JSON error shape', async (t) => {
  const app = await build(t)
  const res = await app.inject('/api/nothing-here')
  t.equal(res.statusCode, 404)
  t.same(res.json(), { statusCode: 404, error: 'Not Found', message: 'Route GET /api/nothing-here not found' })
})

t.test('readiness names Redis when it does not answer, and the process keeps serving', async (t) => {
  // A port nothing listens on: Redis configured but down from the start.
  const app = await build(t, { env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '1' } })
  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 503)
  t.same(ready.json(), {
    status: 'unavailable',
    checks: { database: 'up', redis: 'down', transcoder: 'up' },
    down: ['redis'],
    // What cannot be read without Redis is null; analysis never makes the service unavailable.
    analysis: { enabled: false, maxPending: 100_000, pending: null, consumers: null, lastResultAt: null, consumerSeen: false }
  })
  t.equal((await app.inject('/health')).statusCode, 200)
})
