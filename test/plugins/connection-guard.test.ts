// Slow or greedy clients must not hold sockets and descriptors: a reader that stops reading is
// cut after SEND_TIMEOUT_MS, a request that dribbles in after REQUEST_TIMEOUT_MS, and one address
// may hold MAX_CONNECTIONS_PER_IP connections while others still get in. Real sockets.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readdirSync, readlinkSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { connect, type Socket } from 'node:net'
import { join } from 'node:path'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { eventually } from '../fixtures/http.js'
import { serverSockets } from '../fixtures/sse.js'

// Larger than what the kernel's buffers on both ends take (about 4 MB each way on loopback).
const SIZE = 24 * 1024 * 1024

// Descriptors of this (the service's) process open on `path`.
function descriptorsOn (path: string): number {
  let n = 0
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) n++
    } catch {
      // Closed while we looked.
    }
  }
  return n
}

async function open (port: number, localAddress = '127.0.0.1'): Promise<Socket> {
  const socket = connect({ port, host: '127.0.0.1', localAddress })
  socket.on('error', () => {})
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve)
    socket.once('error', reject)
  })
  return socket
}

// Everything the server sends until it closes the connection (or `limit` polls pass).
function received (socket: Socket): { text: () => string, closed: () => boolean } {
  let text = ''
  let closed = false
  socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
  socket.on('close', () => { closed = true })
  return { text: () => text, closed: () => closed }
}

async function connections (app: { server: { getConnections: (cb: (err: Error | null, n: number) => void) => void } }): Promise<number> {
  return await new Promise((resolve, reject) => app.server.getConnections((err, n) => err === null ? resolve(n) : reject(err)))
}

t.test('a reader that stops reading a stream is cut after SEND_TIMEOUT_MS; its file is closed', async (t) => {
  const { app } = await buildOpen(t, { env: { SEND_TIMEOUT_MS: '500' } })
  const file = join(app.config.mediaPath, 'big.flac')
  await writeFile(file, randomBytes(SIZE))
  const id = await seedTrack(app.pg, { filePath: 'big.flac' })
  const sockets = serverSockets(app)
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const client = await open(port)
  t.after(() => client.destroy())
  client.write(`GET /api/stream/${id} HTTP/1.1\r\nHost: x\r\n\r\n`)
  client.pause()
  const server = await (async () => {
    for (let i = 0; i < 500; i++) {
      const s = sockets.get(client.localPort as number)
      if (s !== undefined) return s
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error('connection not seen')
  })()
  t.ok(await eventually(() => server.writableLength > 0 || server.destroyed, 1000), 'the kernel buffers filled and the server holds bytes for the client')
  t.ok(descriptorsOn(file) >= 1 || server.destroyed, 'the file is open while the response waits')
  t.ok(await eventually(() => server.destroyed, 1000), 'the server closed the connection')
  t.ok(await eventually(() => descriptorsOn(file) === 0, 1000), 'and released the file descriptor')
  t.ok(await eventually(async () => await connections(app) === 0, 500), 'no connection left on the server')

  // A reader that keeps reading, however much it was sent, is not cut.
  const res = await fetch(`http://127.0.0.1:${port}/api/stream/${id}`)
  t.equal((await res.arrayBuffer()).byteLength, SIZE)
})

t.test('a request that dribbles in is cut after REQUEST_TIMEOUT_MS with a 408', async (t) => {
  const { app } = await buildOpen(t, { env: { REQUEST_TIMEOUT_MS: '1000' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  for (const [name, head] of [
    ['a body', 'POST /api/scan/start HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n'],
    ['headers', 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '],
    ['nothing at all', '']
  ] as const) {
    const client = await open(port)
    const seen = received(client)
    if (head !== '') client.write(head)
    // A byte every 100 ms: never idle long, never done (at most 300 bytes, 30 s).
    let sent = 0
    const drip = setInterval(() => {
      if (seen.closed() || sent++ > 300) return
      if (head !== '') client.write(name === 'a body' ? ' ' : 'a')
    }, 100)
    const cut = await eventually(seen.closed, 3000)
    clearInterval(drip)
    client.destroy()
    t.ok(cut, `${name}: the server closed the connection (after ${sent} bytes)`)
    t.match(seen.text(), /^HTTP\/1\.1 408 /, `${name}: answered 408`)
  }
  t.ok(await eventually(async () => await connections(app) === 0, 500), 'no connection left on the server')
})

t.test('MAX_CONNECTIONS_PER_IP refuses one more from that address, not from another', async (t) => {
  const { app } = await buildOpen(t, { env: { MAX_CONNECTIONS_PER_IP: '3' } })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }

  const held = [await open(port), await open(port), await open(port)]
  t.after(() => { for (const s of held) s.destroy() })
  t.ok(await eventually(async () => await connections(app) === 3, 500), 'three connections open')

  const fourth = await open(port)
  const seen = received(fourth)
  fourth.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n')
  t.ok(await eventually(seen.closed, 500), 'the fourth is closed by the server')
  t.match(seen.text(), /^HTTP\/1\.1 503 Service Unavailable\r\n/)
  t.match(JSON.parse(seen.text().slice(seen.text().indexOf('\r\n\r\n') + 4)), { statusCode: 503, error: 'Service Unavailable', code: 'TOO_MANY_CONNECTIONS' })

  const refused = await fetch(`http://127.0.0.1:${port}/health`)
  t.equal(refused.status, 503, 'an ordinary client reads the refusal as a 503')
  t.match(await refused.json(), { code: 'TOO_MANY_CONNECTIONS' })

  const second = await open(port, '127.0.0.2')
  const answer = received(second)
  second.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.ok(await eventually(answer.closed, 500))
  t.match(answer.text(), /^HTTP\/1\.1 200 OK\r\n/, '127.0.0.2 still gets in')

  held[0].destroy()
  t.ok(await eventually(async () => await connections(app) === 2, 500), 'a slot frees when one leaves')
  const again = await open(port)
  const reply = received(again)
  again.write('GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.ok(await eventually(reply.closed, 500))
  t.match(reply.text(), /^HTTP\/1\.1 200 OK\r\n/, 'and 127.0.0.1 gets in again')
})

t.test('pipelined requests are served one at a time: a client that leaves releases every file', async (t) => {
  const { app } = await buildOpen(t)
  const file = join(app.config.mediaPath, 'big.flac')
  await writeFile(file, randomBytes(SIZE))
  const id = await seedTrack(app.pg, { filePath: 'big.flac' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const rss = process.memoryUsage().rss

  // Browsers never pipeline; an attacker sends many requests at once and reads nothing.
  const client = await open(port)
  const request = `GET /api/stream/${id} HTTP/1.1\r\nHost: x\r\nRange: bytes=0-4194303\r\n\r\n`
  client.pause()
  client.write(request.repeat(12))
  t.ok(await eventually(() => descriptorsOn(file) >= 1, 500), 'the first response is being sent')
  await new Promise((resolve) => setTimeout(resolve, 300))
  t.ok(descriptorsOn(file) <= 1, `one file open for the connection, not one per queued request (${descriptorsOn(file)})`)
  t.ok(process.memoryUsage().rss - rss < 40 * 1024 * 1024, 'the queued ranges are not read ahead into memory')
  client.destroy()
  t.ok(await eventually(() => descriptorsOn(file) === 0, 1000), 'every descriptor is released when the client leaves')
  t.ok(await eventually(async () => await connections(app) === 0, 500), 'no connection left on the server')

  // Past a small depth the connection is closed rather than queued without bound.
  const greedy = await open(port)
  const seen = received(greedy)
  greedy.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n' + request.repeat(200))
  t.ok(await eventually(seen.closed, 1000), 'a connection pipelining hundreds of requests is closed')
  t.ok(await eventually(() => descriptorsOn(file) === 0, 1000), 'and holds no file')

  // An ordinary client pipelining a few small requests gets every answer, in order.
  const polite = await open(port)
  const answers = received(polite)
  polite.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3) + 'GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
  t.ok(await eventually(answers.closed, 1000))
  t.equal(answers.text().match(/HTTP\/1\.1 200 OK/g)?.length, 4, 'four answers')
})
