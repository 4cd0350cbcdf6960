import t from 'tap'
import { build } from '../helper.js'

t.test('numbers too large to be finite are refused before they reach the database', async (t) => {
  const app = await build(t)
  for (const url of ['/api/library/tracks?limit=1e309', '/api/library/tracks?offset=1e309', '/api/library/albums?year=-1e309']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 400, url)
    t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /^querystring\/(limit|offset|year) must be/ })
  }
  t.equal((await app.inject('/api/library/tracks?limit=10')).statusCode, 200, 'ordinary numbers pass')
})

t.test('a plain decimal too large to be finite is refused too', async (t) => {
  const app = await build(t)
  const res = await app.inject(`/api/library/tracks?offset=${'9'.repeat(400)}`)
  t.equal(res.statusCode, 400)
  t.match(res.json(), { statusCode: 400, message: /^querystring\/offset must be/ })
})
