import t from 'tap'
import { stdSerializers } from 'pino'
import { REDACTED, maskSecrets, redactUrl, requestSerializer, serializeError, serializeRequest } from '../../lib/log-redact.js'

t.test('api_key values are replaced, everything else is left as sent', async (t) => {
  const cases: Array<[string, string]> = [
    ['/api/x', '/api/x'],
    ['/api/x?', '/api/x?'],
    ['/api/x?q=1', '/api/x?q=1'],
    ['/api/x?api_key=s3cret', `/api/x?api_key=${REDACTED}`],
    ['/api/x?a=1&api_key=s3cret&b=%20', `/api/x?a=1&api_key=${REDACTED}&b=%20`],
    ['/api/x?api_key=one&api_key=two', `/api/x?api_key=${REDACTED}&api_key=${REDACTED}`],
    ['/api/x?api%5Fkey=s3cret', `/api/x?api%5Fkey=${REDACTED}`],
    ['/api/x?%61pi_key=s3cret', `/api/x?%61pi_key=${REDACTED}`],
    ['/api/x?api_key', `/api/x?api_key=${REDACTED}`],
    ['/api/x?api_key=s3cret#top', `/api/x?api_key=${REDACTED}#top`],
    ['/api/x?x=1#&api_key=s3cret', `/api/x?x=1#&api_key=${REDACTED}`],
    ['/api/x?x=1#api_key=s3cret', `/api/x?x=1#api_key=${REDACTED}`],
    ['/api/x?API_KEY=s3cret&Api_Key=s3cret', `/api/x?API_KEY=${REDACTED}&Api_Key=${REDACTED}`],
    ['http://host/api/x?api_key=s3cret', `http://host/api/x?api_key=${REDACTED}`],
    ['/api/x?api_keys=visible&xapi_key=visible', '/api/x?api_keys=visible&xapi_key=visible'],
    ['/api/x?q=%zz&api_key=s3cret', `/api/x?q=%zz&api_key=${REDACTED}`],
    // Subsonic logins.
    ['/rest/ping.view?apiKey=s3cret&f=json', `/rest/ping.view?apiKey=${REDACTED}&f=json`],
    ['/rest/ping?u=ana&p=enc:7333637265&v=1.16.1&c=DSub', `/rest/ping?u=ana&p=${REDACTED}&v=1.16.1&c=DSub`],
    ['/rest/ping?u=ana&t=26719a11&s=c19b2d', `/rest/ping?u=ana&t=${REDACTED}&s=${REDACTED}`]
  ]
  for (const [url, expected] of cases) t.equal(redactUrl(url), expected, url)
})

t.test('the request serializer logs what Fastify logs, minus secrets and headers', async (t) => {
  const line = serializeRequest({
    method: 'GET',
    url: '/stream/x?api_key=s3cret',
    host: 'music.local',
    ip: '10.0.0.2',
    headers: { authorization: 'Bearer s3cret' },
    socket: { remotePort: 5555 }
  })
  t.same(line, { method: 'GET', url: `/stream/x?api_key=${REDACTED}`, host: 'music.local', remoteAddress: '10.0.0.2', remotePort: 5555 })
  t.notMatch(JSON.stringify(line), 's3cret')
})

t.test('a refused request\'s raw bytes never reach an error line', async (t) => {
  const err = Object.assign(new Error('Parse Error: Invalid header value char'), {
    code: 'HPE_INVALID_HEADER_TOKEN',
    rawPacket: Buffer.from('GET /api/x?api_key=s3cret HTTP/1.1\r\nAuthorization: Bearer s3cret\r\nBad\u0001: x\r\n\r\n')
  })
  const line = serializeError(stdSerializers.err)(err)
  t.equal(line.message, 'Parse Error: Invalid header value char')
  t.equal(line.code, 'HPE_INVALID_HEADER_TOKEN')
  t.notMatch(JSON.stringify(line), 's3cret')
})

t.test('the configured key is masked in any form the service would refuse', async (t) => {
  const key = 'k3y/with space'
  for (const url of [
    `/api/library/tracks;api_key=${key}`,
    `/api/library/tracks?x=1&api_key[]=${encodeURIComponent(key)}`,
    `http://u:${encodeURIComponent(key)}@x/api/library/tracks`,
    `/api/${encodeURIComponent(key)}`
  ]) {
    const masked = maskSecrets(redactUrl(url), [key])
    t.notMatch(masked, key, url)
    t.notMatch(masked, encodeURIComponent(key), url)
    t.match(masked, REDACTED)
  }
  t.equal(maskSecrets('/api/x', []), '/api/x')
})

t.test('users\' keys and userinfo passwords are masked under any name or spelling (found by the outside attack)', async (t) => {
  const key = `snt_${'Ab3_-'.repeat(8)}xyz`
  const lines = requestSerializer([])
  for (const url of [
    `/api/nope?api_key%00=${key}`,
    `/api/nope?api_key[]=${key}`,
    `/api/library/albums;api_key=${key}`,
    `/api/library/albums?+api_key=${key}`,
    `/api/nope/${key}`,
    `/rest/ping.view?u=admin&p%00=${key}`,
    `/api/nope?x=${encodeURIComponent(key).replace('_', '%5F')}`
  ]) {
    const logged = lines({ method: 'GET', url }).url as string
    t.notMatch(logged, key.slice(4), url)
    t.match(logged, REDACTED, url)
  }
  const absolute = lines({ method: 'GET', url: 'http://user:UserinfoPw@localhost/api/library/tracks?p=x' }).url as string
  t.notMatch(absolute, 'UserinfoPw', 'the userinfo password is masked')
  t.match(absolute, /^http:\/\/user:\[REDACTED\]@localhost\/api\/library\/tracks/, 'the rest is as sent')
  t.equal(lines({ method: 'GET', url: '/api/library/tracks?q=snt' }).url, '/api/library/tracks?q=snt', 'a short word is not a key')
})

t.test('the configured key spelled with percent-escapes of its own is masked', async (t) => {
  const masked = maskSecrets('/api/nope/Shared%4BeyZZZ123456', ['SharedKeyZZZ123456'])
  t.notMatch(masked, 'ZZZ123456')
  t.equal(masked, REDACTED)
})
