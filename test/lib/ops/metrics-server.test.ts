// The worker's /metrics server holds little: connections beyond its cap are closed as they
// arrive, one that never finishes its headers is closed after the request timeout, and a
// scrape still answers.
import t from 'tap'
import { once } from 'node:events'
import type { Server } from 'node:http'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { Gauge, Registry } from 'prom-client'
import type { TestLike } from '../../helper.js'
import { createMetricsServer, METRICS_SERVER_LIMITS } from '../../../lib/ops/metrics-server.js'

async function listen (t: TestLike, server: Server): Promise<number> {
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.after(async () => {
    server.closeAllConnections()
    await new Promise((resolve) => { server.close(resolve) })
  })
  return (server.address() as AddressInfo).port
}

function registry (): Registry {
  const registry = new Registry()
  new Gauge({ name: 'test_up', help: 'a test gauge', registers: [registry] }).set(1)
  return registry
}

// Resolves when the socket closes (the server may reset it: events.once would throw on that).
const closed = async (socket: Socket): Promise<void> => { await new Promise((resolve) => socket.once('close', resolve)) }

// A connection that starts a request and never finishes its headers; `closed` resolves with
// the milliseconds until the server closed it.
function halfOpen (port: number): { socket: Socket, closed: Promise<number> } {
  const started = Date.now()
  const socket = connect(port, '127.0.0.1', () => { socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n') })
  socket.on('error', () => {})
  socket.resume()
  return { socket, closed: closed(socket).then(() => Date.now() - started) }
}

const connections = async (server: Server): Promise<number> =>
  await new Promise((resolve, reject) => { server.getConnections((err, n) => { if (err !== null) reject(err); else resolve(n) }) })

t.test('the defaults: a small cap and timeouts of a few seconds', async (t) => {
  const server = createMetricsServer(registry(), () => {})
  t.equal(server.maxConnections, 16)
  t.equal(server.headersTimeout, 5000)
  t.equal(server.requestTimeout, 5000)
  t.equal(server.keepAliveTimeout, 5000)
  t.same(METRICS_SERVER_LIMITS, { maxConnections: 16, requestTimeoutMs: 5000, keepAliveTimeoutMs: 5000 })
})

t.test('a flood of half-open connections is cut, and a scrape still answers', async (t) => {
  const cap = 4
  const timeout = 600
  const server = createMetricsServer(registry(), () => {}, { maxConnections: cap, requestTimeoutMs: timeout, keepAliveTimeoutMs: timeout })
  const port = await listen(t, server)

  const held = Array.from({ length: cap }, () => halfOpen(port))
  for (let i = 0; i < 100 && await connections(server) < cap; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(await connections(server), cap, `the first ${cap} connections are held`)

  const flood = Array.from({ length: 200 }, () => halfOpen(port))
  const floodTimes = await Promise.all(flood.map(async (c) => await c.closed))
  t.ok(Math.max(...floodTimes) < timeout, `the 200 beyond the cap are closed at once (slowest after ${Math.max(...floodTimes)} ms)`)
  t.equal(await connections(server), cap, 'and were never held')

  const heldTimes = await Promise.all(held.map(async (c) => await c.closed))
  t.ok(Math.min(...heldTimes) >= timeout - 50, `the half-open ones are held until the timeout (first closed after ${Math.min(...heldTimes)} ms)`)
  t.ok(Math.max(...heldTimes) < timeout + 2000, `and closed soon after it (last after ${Math.max(...heldTimes)} ms)`)
  t.equal(await connections(server), 0, 'nothing is left open')

  const res = await fetch(`http://127.0.0.1:${port}/metrics`)
  t.equal(res.status, 200, 'a scrape answers')
  t.match(await res.text(), /^test_up 1$/m)

  // A kept-alive scrape connection is let go once idle.
  for (let i = 0; i < 300 && await connections(server) > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10))
  t.equal(await connections(server), 0, 'the scraper\'s idle connection is closed after the keep-alive timeout')
})

t.test('a connection that sends nothing at all is closed after the timeout', async (t) => {
  const server = createMetricsServer(registry(), () => {}, { maxConnections: 4, requestTimeoutMs: 400, keepAliveTimeoutMs: 400 })
  const port = await listen(t, server)
  const started = Date.now()
  const socket = connect(port, '127.0.0.1')
  socket.on('error', () => {})
  await closed(socket)
  const took = Date.now() - started
  t.ok(took >= 350 && took < 2500, `closed after ${took} ms`)
})
