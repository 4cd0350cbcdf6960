import t from 'tap'
import { Value } from '@sinclair/typebox/value'
import { errorBody } from '../../lib/error-body.js'
import { ErrorResponse } from '../../schemas/common.js'

t.test('errorBody names the status by its reason phrase and adds a code only when given', async (t) => {
  t.same(errorBody(401, 'A valid API key is required'), { statusCode: 401, error: 'Unauthorized', message: 'A valid API key is required' })
  t.same(errorBody(416, 'out of range'), { statusCode: 416, error: 'Range Not Satisfiable', message: 'out of range' })
  t.same(errorBody(503, 'down', 'DEPENDENCY_DOWN'), { statusCode: 503, error: 'Service Unavailable', message: 'down', code: 'DEPENDENCY_DOWN' })
  t.notOk('code' in errorBody(404, 'gone', undefined), 'no code key at all, not code: undefined')
})

t.test('a status with no reason phrase still gets a generic one for its class', async (t) => {
  t.equal(errorBody(499, 'x').error, 'Error')
  t.equal(errorBody(599, 'x').error, 'Internal Server Error')
})

t.test('the body is what the documented ErrorResponse schema describes', async (t) => {
  for (const body of [errorBody(400, 'bad'), errorBody(404, 'gone'), errorBody(503, 'down', 'DEPENDENCY_DOWN')]) {
    t.ok(Value.Check(ErrorResponse, body), JSON.stringify(body))
  }
  t.same(Object.keys(errorBody(503, 'down', 'X')), ['statusCode', 'error', 'message', 'code'], 'fields in the documented order')
})
