import t from 'tap'
import { tempDir, testEnv } from './helper.js'
import { join } from 'node:path'
import { connect } from 'node:net'
import { spawnEntry, startServer } from './fixtures/server-process.js'
import { writeAudioFixture } from './fixtures/audio.js'
import { probeRequest } from './fixtures/http.js'

t.test('the server process serves, then exits 0 on SIGTERM after closing cleanly', async (t) => {
  const { env } = await testEnv(t)
  const server = await startServer(t, env)
  const res = await fetch(`${server.url}/health`)
  t.equal(res.status, 200)
  t.same(await res.json(), { status: 'ok', service: 'sonantica-core', version: '0.1.0' })
  t.equal((await fetch(`${server.url}/health/ready`)).status, 200)

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0, 'exit code 0')
  t.match(server.output(), /shutting down/)
  await t.rejects(fetch(`${server.url}/health`), 'no longer accepting connections')
})

t.test('log lines never carry an API key, even at trace level', async (t) => {
  const key = 'k3y-in-logs-7c1e'
  const wrong = 'wr0ng-guess-5d2a'
  const { env } = await testEnv(t, { env: { API_KEY: key, LOG_LEVEL: 'trace' } })
  const server = await startServer(t, env)
  const targets = [
    `/api/library/stats?api_key=${key}`,
    `/api/library/stats?sort=x&api%5Fkey=${key}&keep=1`,
    `http://any-host/api/library/stats?api_key=${key}`,
    `/stream/00000000-0000-4000-8000-000000000000?api_key=${wrong}`,
    `/nope?api_key=${encodeURIComponent(wrong)}#frag`,
    `/api/library/stats?x=1#&api_key=${key}`,
    `/api/library/stats?API_KEY=${key}`,
    `/api/library/stats;api_key=${key}`,
    `/api/library/stats?x=1&api_key[]=${key}`,
    `http://u:${key}@any-host/api/library/stats`,
    `/api/${key}`
  ]
  for (const target of targets) await probeRequest(server.url, target)
  // A request the HTTP parser refuses is logged at trace level with its raw bytes.
  const malformed = connect(Number(new URL(server.url).port), '127.0.0.1')
  malformed.on('error', () => {})
  malformed.resume()
  malformed.end(`GET /api/library/stats?api_key=${key} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nBad Header: x\r\n\r\n`)
  await new Promise((resolve) => malformed.once('close', resolve))
  await probeRequest(server.url, '/api/library/stats', { headers: { authorization: `Bearer ${key}` } })
  await probeRequest(server.url, '/api/library/stats', { headers: { authorization: `Bearer ${wrong}` } })
  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)

  const output = server.output()
  t.notMatch(output, key, 'the key is in no line')
  t.notMatch(output, wrong, 'nor is a wrong guess')
  const urls = output.split('\n').filter((line) => line.startsWith('{'))
    .map((line) => (JSON.parse(line) as { req?: { url?: string } }).req?.url).filter((url) => url !== undefined)
  t.ok(urls.includes('/api/library/stats?api_key=[REDACTED]'), 'the line still shows the parameter was sent')
  t.ok(urls.includes('/api/library/stats?sort=x&api%5Fkey=[REDACTED]&keep=1'), 'an encoded name is caught; other parameters are kept as sent')
  t.ok(urls.includes('http://any-host/api/library/stats?api_key=[REDACTED]'), 'an absolute-form target is redacted too')
  t.ok(urls.includes('/api/library/stats'), 'a header-authorised request is logged')
})

t.test('a SIGTERM while the embedded database is being created stops start-up there and exits 0', async (t) => {
  const { env } = await testEnv(t)
  // A fresh data folder: PGlite runs initdb, which takes seconds, and then migrations would follow.
  const dataDir = await tempDir(t, 'sonantica-fresh-data-')
  const proc = spawnEntry('server.ts', { ...env, DATA_DIR: dataDir, SCAN_ON_START: 'true', LOG_LEVEL: 'info' })
  t.after(() => { if (proc.child.exitCode === null) proc.child.kill('SIGKILL') })
  const started = Date.now()
  while (!/"msg":"starting"/.test(proc.output())) {
    if (proc.child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`no start-up line:\n${proc.output()}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  proc.child.kill('SIGTERM')
  t.equal(await proc.exited, 0, 'exit code 0')
  const output = proc.output()
  t.match(output, /shutting down/)
  t.notMatch(output, /database migrated/, 'no migrations ran')
  t.notMatch(output, /Server listening/, 'it never listened')
  t.notMatch(output, /scan/i, 'no scan was started')
  t.notMatch(output, /"level":(50|60)/, 'no error or fatal line')
})

t.test('SIGINT shuts down the same way', async (t) => {
  const { env } = await testEnv(t)
  const server = await startServer(t, env)
  server.child.kill('SIGINT')
  t.equal(await server.exited, 0)
})

t.test('a malformed variable stops start-up with one line naming it', async (t) => {
  const { env } = await testEnv(t)
  for (const [name, value] of [['PORT', 'abc'], ['LOG_LEVEL', 'chatty'], ['POSTGRES_URL', 'nope']]) {
    const proc = spawnEntry('server.ts', { ...env, [name]: value })
    t.equal(await proc.exited, 1, `${name}=${value} exits 1`)
    const lines = proc.output().trim().split('\n')
    t.equal(lines.length, 1, 'one line')
    t.match(lines[0], new RegExp(`^Invalid configuration: ${name} `), 'naming the variable')
  }
})

t.test('the embedded database keeps the library and user state across a restart', async (t) => {
  const { env, mediaPath } = await testEnv(t)
  await writeAudioFixture(join(mediaPath, 'Artist', 'Album'), 'mp3', { tags: { title: 'Kept', artist: 'Artist', album: 'Album' } })

  const first = await startServer(t, env)
  const started = await fetch(`${first.url}/api/scan/start`, { method: 'POST' })
  t.equal(started.status, 202)
  for (let i = 0; i < 200; i++) {
    const status = await (await fetch(`${first.url}/api/scan/status`)).json() as { isScanning: boolean }
    if (!status.isScanning) break
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  const list = await (await fetch(`${first.url}/api/library/tracks`)).json() as { tracks: Array<{ id: string, title: string }> }
  t.equal(list.tracks.length, 1)
  const id = list.tracks[0].id
  const patched = await fetch(`${first.url}/api/library/tracks/${id}`, {
    method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ isFavorite: true })
  })
  t.equal(patched.status, 200)
  first.child.kill('SIGTERM')
  t.equal(await first.exited, 0)

  const second = await startServer(t, env)
  const track = await (await fetch(`${second.url}/api/library/tracks/${id}`)).json() as { title: string, isFavorite: boolean }
  t.match(track, { title: 'Kept', isFavorite: true }, 'the same track, still a favourite, after a restart')
  second.child.kill('SIGTERM')
  t.equal(await second.exited, 0)
})

t.test('a worker process explains what it needs instead of running somewhere useless', async (t) => {
  const { env } = await testEnv(t)
  const noRedis = spawnEntry('worker.ts', env)
  t.equal(await noRedis.exited, 1)
  t.match(noRedis.output(), /worker\.ts needs REDIS_HOST/)
  const embedded = spawnEntry('worker.ts', { ...env, REDIS_HOST: '127.0.0.1' })
  t.equal(await embedded.exited, 1)
  t.match(embedded.output(), /worker\.ts needs POSTGRES_URL/)
})
