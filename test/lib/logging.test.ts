import t from 'tap'
import { Writable } from 'node:stream'
import Fastify from 'fastify'
import pino from 'pino'
import PinoPretty from 'pino-pretty'
import { chooseLogFormat } from '../../lib/logging/destination.js'
import { PRETTY_OPTIONS, formatMessage } from '../../lib/logging/pretty.js'
import { loggerOptions } from '../../lib/logging/options.js'
import { QuietProbesLogController } from '../../plugins/quiet-probes.js'
import { browsableAddress, databaseLocation, startupSummary, type SummaryFacts } from '../../lib/logging/startup-summary.js'
import { VERSION } from '../../lib/version.js'

t.test('the format: pretty on a terminal, JSON elsewhere, unless LOG_FORMAT says', async (t) => {
  t.equal(chooseLogFormat(null, true), 'pretty')
  t.equal(chooseLogFormat(null, false), 'json')
  t.equal(chooseLogFormat('json', true), 'json')
  t.equal(chooseLogFormat('pretty', false), 'pretty')
})

t.test('request lines read as arrows with the request id', async (t) => {
  t.equal(formatMessage({ msg: 'incoming request', reqId: 'req-7', req: { method: 'GET', url: '/a?b=1' } }, 'msg'), 'req-7 → GET /a?b=1')
  t.equal(formatMessage({ msg: 'request completed', reqId: 'req-7', res: { statusCode: 204 }, responseTime: 3.14159 }, 'msg'), 'req-7 ← 204 in 3.1 ms')
  t.equal(formatMessage({ msg: 'request completed', reqId: 'req-8', req: { method: 'GET', url: '/health/ready' }, res: { statusCode: 503 }, responseTime: 1 }, 'msg'),
    'req-8 ← 503 in 1.0 ms (GET /health/ready)', 'a line that carries its request names it')
  t.equal(formatMessage({ msg: 'boom', reqId: 'req-9', req: { method: 'POST', url: '/x' }, res: { statusCode: 500 } }, 'msg'), 'req-9 boom (POST /x 500)')
  t.equal(formatMessage({ msg: 'starting' }, 'msg'), 'starting', 'other lines are left as they are')
})

// Everything the pretty stream prints, uncoloured, from a logger set up as the service's is.
function prettyLogger (secrets: string[]): { log: pino.Logger, text: () => string } {
  let text = ''
  const destination = new Writable({ write (chunk: Buffer, _encoding, done) { text += chunk.toString(); done() } })
  const log = pino(loggerOptions('info', secrets), PinoPretty({ ...PRETTY_OPTIONS, colorize: false, sync: true, destination }))
  return { log, text: () => text }
}

t.test('redaction holds in pretty lines: keys in URLs, the configured key anywhere, headers', async (t) => {
  const key = 'pretty-k3y-0a1b'
  const { log, text } = prettyLogger([key])
  log.info({ req: { method: 'GET', url: `/rest/ping?u=me&p=${key}&t=abc&s=def`, socket: {} } }, 'incoming request')
  log.info({ req: { method: 'GET', url: `/api/${key}/x`, socket: {} } }, 'incoming request')
  log.info({ headers: { authorization: `Bearer ${key}` } }, 'headers logged directly')
  const out = text()
  t.notMatch(out, key, 'the key is in no line')
  t.notMatch(out, 'abc', 'nor a Subsonic token')
  t.match(out, 'GET /rest/ping?u=me&p=[REDACTED]&t=[REDACTED]&s=[REDACTED]')
  t.match(out, 'GET /api/[REDACTED]/x')
  t.match(out, '"authorization":"[REDACTED]"')
})

t.test('an error keeps its message and stack in a pretty line', async (t) => {
  const { log, text } = prettyLogger([])
  log.error({ err: new Error('disk on fire') }, 'scan failed')
  t.match(text(), /ERROR: scan failed/)
  t.match(text(), /disk on fire/)
  t.match(text(), /at .*logging\.test\.ts/)
})

const facts = (overrides: Partial<SummaryFacts['config']> = {}, rest: Partial<Omit<SummaryFacts, 'config'>> = {}): SummaryFacts => ({
  config: { postgresUrl: null, dataDir: '/srv/data', redisHost: null, redisPort: 6379, runJobs: true, mediaPath: '/srv/music', apiKey: null, analysis: false, analysisMaxPending: 100_000, ...overrides },
  address: 'http://0.0.0.0:8080',
  tracks: 12,
  usersExist: false,
  ...rest
})

t.test('the start-up summary: every fact, in one line and as fields', async (t) => {
  const { summary, msg } = startupSummary(facts())
  t.same(summary, {
    version: VERSION,
    url: 'http://localhost:8080',
    database: 'embedded',
    databaseLocation: '/srv/data/pglite',
    jobs: 'in-process',
    analysis: 'off',
    mediaPath: '/srv/music',
    tracks: 12,
    docs: 'http://localhost:8080/docs',
    auth: 'open'
  })
  t.equal(msg, `Sonántica stream core ${VERSION} ready at http://localhost:8080; database: embedded /srv/data/pglite; jobs: in-process; ` +
    'analysis: off; media: /srv/music (12 tracks indexed); docs: http://localhost:8080/docs; auth: off: open to anyone who can reach it until the first admin signs up')
  t.notMatch(msg, '\n', 'one line')
})

t.test('the summary says where jobs run and whether a key is needed', async (t) => {
  t.match(startupSummary(facts({ redisHost: 'redis', redisPort: 6380 })).summary, { jobs: 'redis redis:6380' })
  t.match(startupSummary(facts({ redisHost: 'redis', runJobs: false })).summary, { jobs: 'redis redis:6379 (run by workers)' })
  t.match(startupSummary(facts({ analysis: true, analysisMaxPending: 500 })).msg, '; analysis: on (at most 500 pending); ')
  t.match(startupSummary(facts({ apiKey: 'k' })).msg, /auth: on \(API_KEY and user keys\)$/)
  t.match(startupSummary(facts({}, { usersExist: true })).msg, /auth: on \(user keys\)$/)
  const down = startupSummary(facts({}, { usersExist: null, tracks: null }))
  t.match(down.msg, /\(track count unknown\).*auth: unknown/, 'a database that did not answer blanks the fields, not the line')
  t.match(startupSummary(facts({}, { tracks: 1 })).msg, '(1 track indexed)')
  t.notMatch(startupSummary(facts({ apiKey: 'sekrit-value' })).msg, 'sekrit-value', 'never the key itself')
})

t.test('a PostgreSQL URL is shown without its password or query', async (t) => {
  const cases: Array<[string, string]> = [
    ['postgres://music:hunter2@db.lan:5432/sonantica', 'postgres://music@db.lan:5432/sonantica'],
    ['postgresql://music:hunter2@db.lan/sonantica?sslmode=require&password=hunter2', 'postgresql://music@db.lan/sonantica'],
    ['postgres://db.lan/sonantica', 'postgres://db.lan/sonantica'],
    ['postgres:///sonantica?host=/var/run/postgresql&password=hunter2', 'postgres:///var/run/postgresql/sonantica'],
    ['postgres://us%40er:p%40ss@db.lan/sonantica', 'postgres://us@er@db.lan/sonantica']
  ]
  for (const [url, shown] of cases) {
    const { kind, location } = databaseLocation({ postgresUrl: url, dataDir: '/d' })
    t.equal(kind, 'postgres')
    t.equal(location, shown, url)
    t.notMatch(location, /hunter2|p@ss/)
  }
})

t.test('a wildcard bind address is shown as one a browser opens', async (t) => {
  t.equal(browsableAddress('http://0.0.0.0:8080'), 'http://localhost:8080')
  t.equal(browsableAddress('http://[::]:8080'), 'http://localhost:8080')
  t.equal(browsableAddress('http://192.168.1.5:8080'), 'http://192.168.1.5:8080')
  t.equal(browsableAddress('http://[::1]:8080'), 'http://[::1]:8080')
})

interface Line { level: number, msg: string, req?: { url: string }, res?: { statusCode: number }, err?: { message: string } }

async function probeApp (level: 'info' | 'debug'): Promise<{ app: ReturnType<typeof Fastify>, logs: Line[], setReady: (code: number) => void }> {
  const logs: Line[] = []
  const app = Fastify({
    logger: { ...loggerOptions(level), stream: { write: (line: string) => { logs.push(JSON.parse(line) as Line) } } },
    logController: new QuietProbesLogController(),
    routerOptions: { ignoreTrailingSlash: true }
  })
  let ready = 200
  app.get('/health', async () => ({ ok: true }))
  app.get('/health/ready', async (_request, reply) => await reply.code(ready).send({ ready: ready === 200 }))
  app.get('/metrics', async () => 'up 1\n')
  app.get('/healthy-looking', async () => 'not a probe')
  app.get('/crash', async () => { throw new Error('kaput') })
  await app.ready()
  t.teardown(() => app.close())
  return { app, logs, setReady: (code) => { ready = code } }
}

t.test('successful probes and scrapes write no request line at info', async (t) => {
  const { app, logs } = await probeApp('info')
  for (const url of ['/health', '/health/', '/health?x=1', '/health/ready', '/metrics']) {
    t.equal((await app.inject(url)).statusCode, 200, url)
  }
  t.equal((await app.inject({ method: 'HEAD', url: '/health' })).statusCode, 200)
  t.same(logs, [], 'not one line')
  await app.inject('/healthy-looking')
  await app.inject('/nowhere')
  t.same(logs.map((line) => [line.level, line.msg]), [
    [30, 'incoming request'], [30, 'request completed'],
    [30, 'incoming request'], [30, 'Route GET:/nowhere not found'], [30, 'request completed']
  ], 'other routes, and paths no route matches, are logged as before')
})

t.test('a failed probe and an error still log', async (t) => {
  const { app, logs, setReady } = await probeApp('info')
  setReady(503)
  t.equal((await app.inject('/health/ready')).statusCode, 503)
  t.same(logs.map((line) => [line.level, line.msg, line.req?.url, line.res?.statusCode]), [[30, 'request completed', '/health/ready', 503]],
    'a 503 from readiness is one info line naming the probe')
  logs.length = 0
  t.equal((await app.inject('/crash')).statusCode, 500)
  t.ok(logs.some((line) => line.level === 50 && line.err?.message === 'kaput'), 'an error is logged at error')
})

t.test('at debug, probe lines are all there', async (t) => {
  const { app, logs } = await probeApp('debug')
  await app.inject('/metrics')
  t.same(logs.map((line) => [line.level, line.msg, line.req?.url]), [[20, 'incoming request', '/metrics'], [20, 'request completed', '/metrics']])
})
