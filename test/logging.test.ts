// The service's own log output, read as a person and as a machine would: under a real
// pseudo-terminal (`script`), through a pipe, and with LOG_FORMAT forcing either.
import t from 'tap'
import { join } from 'node:path'
import { skipReason, testEnv } from './helper.js'
import { spawnEntry, startServer } from './fixtures/server-process.js'
import { runUnderTerminal, type TerminalProcess } from './fixtures/terminal.js'
import { writeAudioFixture } from './fixtures/audio.js'
import { VERSION } from '../lib/version.js'

const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR|FATAL): /

async function listeningUnderTerminal (proc: TerminalProcess): Promise<string> {
  const started = Date.now()
  for (;;) {
    // The summary line comes once the server listens, and names where.
    const match = /ready at (http:\/\/127\.0\.0\.1:\d+);/.exec(proc.text())
    if (match !== null) return match[1]
    if (Date.now() - started > 120_000) throw new Error(`no start-up summary:\n${proc.text()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

function lines (text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '')
}

// Lines are written synchronously, but reach the reading end of a pipe or terminal a moment later.
async function settle (): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 300))
}

t.test('on a terminal: readable lines, the start-up summary, no probe lines, no key', async (t) => {
  const key = 'terminal-k3y-4b9e'
  const { env, dataDir, mediaPath } = await testEnv(t, { env: { API_KEY: key, LOG_LEVEL: 'info' } })
  await writeAudioFixture(join(mediaPath, 'Artist', 'Album'), 'mp3', { tags: { title: 'One', artist: 'Artist', album: 'Album' } })
  // Indexed first by a run without a terminal, so the summary has a track to count.
  const first = await startServer(t, env)
  const auth = { headers: { authorization: `Bearer ${key}` } }
  const started = await fetch(`${first.url}/api/scan/start`, { method: 'POST', ...auth })
  t.equal(started.status, 202)
  const scanId = (await started.json() as { id: string }).id
  for (let i = 0; i < 600; i++) {
    const scan = await (await fetch(`${first.url}/api/scans/${scanId}`, auth)).json() as { status: string }
    if (scan.status !== 'queued' && scan.status !== 'running') break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0)

  const proc = runUnderTerminal('server.ts', { ...env, PORT: '0' })
  t.after(proc.stop)
  const url = await listeningUnderTerminal(proc)
  for (const path of ['/health', '/health/ready', '/health/', '/health?probe=1']) {
    t.equal((await fetch(`${url}${path}`)).status, 200, `${path} answers`)
  }
  t.equal((await fetch(`${url}/api/library/stats?api_key=${key}`)).status, 200)
  t.equal((await fetch(`${url}/api/library/stats`)).status, 401)
  await settle()
  const text = proc.text()

  const all = lines(text)
  t.ok(all.length >= 5, 'several lines')
  t.same(all.filter((line) => !PRETTY_LINE.test(line)), [], 'every line starts with a time and a level')
  t.notOk(all.some((line) => line.includes('{"level"')), 'no JSON line')

  const summaries = all.filter((line) => line.includes(' ready at '))
  t.equal(summaries.length, 1, 'one start-up summary line')
  const summary = summaries[0]
  t.match(summary, `INFO: Sonántica stream core ${VERSION} ready at ${url};`, 'version and where')
  t.match(summary, `database: embedded ${dataDir}/pglite;`, 'the database, kind and place')
  t.match(summary, 'jobs: in-process;', 'no Redis: jobs in this process')
  t.match(summary, `media: ${mediaPath} (1 track indexed);`, 'the media root and its track count')
  t.match(summary, `docs: ${url}/docs;`, 'where the docs are')
  t.match(summary, /auth: on \(API_KEY and user keys\)$/, 'a key is needed')
  t.notMatch(summary, /\{/, 'its fields are not repeated after the text')
  t.equal((await fetch(`${url}/docs`)).status, 200, 'the docs URL it gives opens')

  t.notMatch(text, /\/health/, 'successful probes write no line at info')
  t.notMatch(text, key, 'the key is in no line')
  const incoming = all.filter((line) => line.includes('→ GET /api/library/stats'))
  t.equal(incoming.length, 2, 'each request comes in on one line')
  t.match(incoming[0], /INFO: req-\w+ → GET \/api\/library\/stats\?api_key=\[REDACTED\]$/, 'with its URL, the key redacted')
  t.match(text, /INFO: req-\w+ ← 200 in \d+\.\d ms\n/, 'and is answered on another, with its status and time')
  t.match(text, /INFO: req-\w+ ← 401 in \d+\.\d ms\n/)
})

t.test('on a terminal, LOG_FORMAT=json still writes JSON lines', async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { LOG_LEVEL: 'info', LOG_FORMAT: 'json' } })
  const proc = runUnderTerminal('server.ts', { ...env, PORT: '0' })
  t.after(proc.stop)
  await listeningUnderTerminal(proc)
  await settle()
  const parsed = lines(proc.text()).map((line) => JSON.parse(line) as Record<string, unknown>)
  t.ok(parsed.length >= 3, 'every line is a JSON object')
  const summary = parsed.find((line) => typeof line.msg === 'string' && line.msg.includes(' ready at '))
  t.match(summary, { level: 30, summary: { version: VERSION, database: 'embedded', jobs: 'in-process', mediaPath, tracks: 0, auth: 'open' } })
})

t.test('through a pipe: JSON lines; the summary names a PostgreSQL database without its password', { skip: await skipReason({ postgres: true }) }, async (t) => {
  const { env } = await testEnv(t, { backend: 'postgres', env: { LOG_LEVEL: 'info' } })
  const password = 'pw-n0t-in-logs-61d'
  const plain = new URL(env.POSTGRES_URL ?? '')
  // Trust authentication accepts any password: it is there to be kept out of the line.
  const withPassword = new URL(plain)
  withPassword.password = password
  withPassword.searchParams.set('application_name', `app-${password}`)
  const server = await startServer(t, { ...env, POSTGRES_URL: withPassword.href })
  await settle()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  const output = server.output()
  const parsed = lines(output).map((line) => JSON.parse(line) as { msg?: string, summary?: Record<string, unknown> })
  const summaries = parsed.filter((line) => line.summary !== undefined)
  t.equal(summaries.length, 1, 'one summary line')
  t.match(summaries[0].summary, {
    database: 'postgres',
    databaseLocation: `postgres://postgres@${plain.host}${plain.pathname}`,
    url: `http://127.0.0.1:${server.port}`,
    docs: `http://127.0.0.1:${server.port}/docs`,
    auth: 'open'
  })
  t.notMatch(output, password, 'the password, or a query that may hold one, is in no line')
})

t.test('through a pipe, LOG_FORMAT=pretty writes readable lines, without colours', async (t) => {
  const { env } = await testEnv(t, { env: { LOG_LEVEL: 'info', LOG_FORMAT: 'pretty' } })
  const proc = spawnEntry('server.ts', env)
  t.after(() => { if (proc.child.exitCode === null) proc.child.kill('SIGKILL') })
  for (let i = 0; i < 2400 && !proc.output().includes(' ready at '); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  await settle()
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0)
  const all = lines(proc.output())
  t.ok(all.some((line) => line.includes(' ready at ')), 'the summary line')
  t.same(all.filter((line) => !PRETTY_LINE.test(line)), [], 'every line is a readable one')
  t.notMatch(proc.output(), '\u001b[', 'no colour codes where no terminal shows them')
  t.match(proc.output(), /shutting down/)
})

t.test('probes log at debug: their request lines are there at LOG_LEVEL=debug', async (t) => {
  const { env } = await testEnv(t, { env: { LOG_LEVEL: 'debug' } })
  const server = await startServer(t, env)
  t.equal((await fetch(`${server.url}/health`)).status, 200)
  t.equal((await fetch(`${server.url}/health/ready`)).status, 200)
  await settle()
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
  const parsed = lines(server.output()).map((line) => JSON.parse(line) as { level: number, msg: string, req?: { url: string } })
  const incoming = parsed.filter((line) => line.msg === 'incoming request')
  t.same(incoming.map((line) => [line.level, line.req?.url]), [[20, '/health'], [20, '/health/ready']], 'incoming at debug')
  const completed = parsed.filter((line) => line.msg === 'request completed')
  t.same(completed.map((line) => [line.level, line.req?.url]), [[20, '/health'], [20, '/health/ready']], 'completed at debug, naming the probe')
})

t.test('a worker on a terminal writes readable lines too', { skip: await skipReason({ postgres: true, redis: true }) }, async (t) => {
  const { env, mediaPath } = await testEnv(t, { backend: 'postgres', redis: true, env: { LOG_LEVEL: 'info' } })
  const proc = runUnderTerminal('worker.ts', env)
  t.after(proc.stop)
  for (let i = 0; i < 2400 && !proc.text().includes('worker ready'); i++) await new Promise((resolve) => setTimeout(resolve, 50))
  const all = lines(proc.text())
  t.match(all.find((line) => line.includes('worker ready')), new RegExp(`^\\[[\\d:.]+\\] INFO: worker ready \\{"mediaPath":"${mediaPath}"\\}$`))
  t.same(all.filter((line) => !PRETTY_LINE.test(line)), [], 'every line is a readable one')
})
