// The contract suite is only as good as its validator: show that it catches drift.
import t from 'tap'
import type { OpenAPIV3 } from 'openapi-types'
import { build } from '../helper.js'
import { ContractValidator } from './validator.js'

t.test('the validator accepts real responses and rejects drifted ones', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
  const validator = new ContractValidator(doc)

  const live = await app.inject('/health')
  const sample = { method: 'GET', url: '/health', status: live.statusCode, contentType: live.headers['content-type'] as string, body: live.body }
  t.same(validator.check(sample), [], 'the real /health response honours its schema')

  const drifted = validator.check({ ...sample, body: JSON.stringify({ status: 'ok', service: 'sonantica-core' }) })
  t.match(drifted.join('\n'), /must have required property 'version'/, 'a missing field is caught')

  const wrongType = validator.check({ ...sample, body: JSON.stringify({ status: 'ok', service: 'sonantica-core', version: 1 }) })
  t.match(wrongType.join('\n'), /version must be string/, 'a wrongly typed field is caught')

  const extraStatus = validator.check({ ...sample, status: 418 })
  t.match(extraStatus.join('\n'), /status 418 is not documented/, 'an undocumented status code is caught')

  const wrongMedia = validator.check({ ...sample, contentType: 'text/plain' })
  t.match(wrongMedia.join('\n'), /content type "text\/plain"/, 'an undocumented content type is caught')

  t.match(validator.check({ ...sample, url: '/nowhere' }).join(''), /no documented operation/)

  const notReady = validator.check({ method: 'GET', url: '/health/ready', status: 503, contentType: 'application/json', body: JSON.stringify({ status: 'unavailable', checks: { database: 'down', redis: 'up', transcoder: 'up' }, down: ['database'], analysis: { enabled: false, maxPending: 100000, pending: 0, consumers: 0, lastResultAt: null, consumerSeen: false } }) })
  t.same(notReady, [], 'a documented 503 body passes')
  const badEnum = validator.check({ method: 'GET', url: '/health/ready', status: 503, contentType: 'application/json', body: JSON.stringify({ status: 'broken', checks: { database: 'down', redis: 'up', transcoder: 'up' }, down: [] }) })
  t.ok(badEnum.length > 0, 'a value outside the documented enum is caught')
})
