// Errors the router raises before any route runs keep the service's one error shape, with the
// status's own reason phrase, over a real socket.
import t from 'tap'
import { build } from '../helper.js'

t.test('a path segment past maxParamLength is a 414 that says so', async (t) => {
  const app = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(`${base}/api/library/tracks/${'a'.repeat(3000)}`)
  t.equal(res.status, 414)
  t.match(res.headers.get('content-type'), /^application\/json/)
  t.same(await res.json(), {
    statusCode: 414,
    error: 'URI Too Long',
    message: 'A path segment of the URL is too long',
    code: 'FST_ERR_MAX_PARAM_LENGTH'
  })
  t.equal((await fetch(`${base}/health`)).status, 200, 'still answering')
})

t.test('a malformed percent-encoding in a path parameter is a 400 in the same shape', async (t) => {
  const app = await build(t)
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await fetch(`${base}/api/library/tracks/%E0%A4%A`)
  t.equal(res.status, 400)
  t.match(await res.json(), { statusCode: 400, error: 'Bad Request', message: /not a valid url component/, code: 'FST_ERR_BAD_URL' })
})
