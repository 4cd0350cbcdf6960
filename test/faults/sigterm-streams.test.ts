// SIGTERM while 20 slow clients stream a large file from a real server process: every response
// either completes or stops at a byte boundary the client sees (its bytes are an exact prefix of
// the file), nothing new is accepted after the signal, and the process exits with 0.
import t from 'tap'
import { connect } from 'node:net'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { slowReader } from '../fixtures/slow-reader.js'
import { scanOverHttp, startServer } from '../fixtures/server-process.js'
import { testEnv } from '../helper.js'

const CLIENTS = 20
async function connectOutcome (port: number): Promise<string> {
  return await new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    socket.once('connect', () => {
      // A connection the kernel accepted is still refused service if nothing answers on it.
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
      let reply = ''
      socket.on('data', (d: Buffer) => { reply += d.toString() })
      socket.on('close', () => resolve(reply === '' ? 'closed without reply' : reply.split('\r\n')[0]))
      socket.on('error', () => {})
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

t.test('SIGTERM with 20 streams in flight: clean ends, no new connections, exit 0', async (t) => {
  const { env, mediaPath } = await testEnv(t)
  // About 21 MB of PCM.
  const path = await writeAudioFixture(join(mediaPath, 'Long'), 'wav', { seconds: 120, name: 'long', tags: { title: 'Long' } })
  const file = await readFile(path)
  t.ok(file.length > 20_000_000, 'a large file')

  const server = await startServer(t, env)
  const tracks = await scanOverHttp(server)
  t.equal(tracks.length, 1, 'the file is indexed')
  const url = `${server.url}/api/stream/${tracks[0].id}`

  const readers = Array.from({ length: CLIENTS }, () => slowReader(url, file))
  await Promise.all(readers.map((r) => r.firstBytes))
  t.ok(readers.every((r) => r.status === 200), 'every stream started')
  t.ok(readers.every((r) => r.received < file.length), 'every stream is still in flight')

  server.child.kill('SIGTERM')
  for (let i = 0; i < 200 && !server.output().includes('shutting down'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.match(server.output(), /shutting down/, 'the server acknowledged SIGTERM')
  const newcomer = await connectOutcome(server.port)
  t.notMatch(newcomer, /^HTTP\/1\.1 200/, `no new connection is served after SIGTERM (${newcomer})`)

  const outcomes = await Promise.all(readers.map((r) => r.done))
  const code = await server.exited
  t.equal(code, 0, 'the process exits with 0')

  let completed = 0
  for (const [i, r] of readers.entries()) {
    t.ok(r.matches, `client ${i}: received bytes are an exact prefix of the file`)
    t.equal(r.declared, file.length)
    if (outcomes[i].complete && r.received === file.length) completed++
    else t.ok(r.received < file.length && outcomes[i].error !== null, `client ${i}: a short stream is reported as cut, not as complete`)
  }
  t.equal(completed, CLIENTS, 'every in-flight stream completed during the graceful shutdown')
})
