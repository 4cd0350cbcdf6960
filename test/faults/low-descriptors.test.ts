// With a low descriptor limit, hundreds of clients that connect and then stall must not take
// every descriptor: the per-address cap refuses most of them at once, the request timeout cuts
// the rest, and /health keeps answering. The server runs as its own process under prlimit.
import t from 'tap'
import { readdirSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { testEnv } from '../helper.js'
import { startServer } from '../fixtures/server-process.js'
import { eventually } from '../fixtures/http.js'

const LIMIT = 256
const STALLED = 400

function descriptors (pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length
}

async function health (port: number, localAddress: string): Promise<string> {
  return await new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1', localAddress })
    let text = ''
    socket.on('connect', () => socket.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'))
    socket.on('data', (chunk: Buffer) => { text += chunk.toString() })
    socket.on('error', (err) => { text += `error: ${err.message}` })
    socket.on('close', () => resolve(text))
    socket.setTimeout(10_000, () => socket.destroy())
  })
}

t.test(`${STALLED} stalled clients against a server limited to ${LIMIT} descriptors`, async (t) => {
  const { env } = await testEnv(t)
  const server = await startServer(t, { ...env, MAX_CONNECTIONS_PER_IP: '40', REQUEST_TIMEOUT_MS: '3000' }, 60_000,
    ['prlimit', `--nofile=${LIMIT}:${LIMIT}`, '--'])
  const pid = server.child.pid as number
  t.match(await health(server.port, '127.0.0.1'), /^HTTP\/1\.1 200 /)
  const baseline = descriptors(pid)
  t.ok(baseline < LIMIT - 50, `the server starts with ${baseline} descriptors`)

  // Each sends half a request line and then nothing.
  const stalled: Socket[] = []
  t.after(() => { for (const s of stalled) s.destroy() })
  let peak = 0
  for (let i = 0; i < STALLED; i += 50) {
    await Promise.all(Array.from({ length: 50 }, async () => await new Promise<void>((resolve) => {
      const socket = connect({ port: server.port, host: '127.0.0.1' })
      stalled.push(socket)
      socket.on('error', () => resolve())
      socket.on('connect', () => { socket.write('GET /health HTTP/1.1\r\nX-Slow: '); resolve() })
    })))
    peak = Math.max(peak, descriptors(pid))
  }
  t.ok(peak < LIMIT, `the server never ran out of descriptors (at most ${peak} of ${LIMIT})`)
  t.match(await health(server.port, '127.0.0.2'), /^HTTP\/1\.1 200 /, '/health answers another address')
  t.equal(server.child.exitCode, null, 'the server is still running')

  // The stalled ones that got in are cut by the request timeout; their descriptors come back.
  t.ok(await eventually(() => descriptors(pid) <= baseline + 2, 2000), `descriptors back to the baseline ${baseline} (now ${descriptors(pid)})`)
  // The server's count of the address's connections drops as each close is processed, which on
  // a busy machine can trail the descriptor count by a moment.
  let answer = ''
  t.ok(await eventually(async () => /^HTTP\/1\.1 200 /.test(answer = await health(server.port, '127.0.0.1')), 50),
    `and the first address is let in again (last answer: ${JSON.stringify(answer.slice(0, 120))})`)
})
