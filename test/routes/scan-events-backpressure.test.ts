// A client that stops reading the event stream must cost the service a bounded buffer, however
// many events a scan sends, and is let go if it stays behind; everyone else still gets every
// scan's outcome. Real sockets; what the server buffers is read from its end of the connection.
import t from 'tap'
import { request } from 'node:http'
import { buildScanAppWithEnv, waitForScan } from '../fixtures/scan.js'
import { testEnv, tempDir } from '../helper.js'
import { writeManyFiles } from '../fixtures/many-files.js'
import { readMessages, serverSockets, stalledClient, type SseMessage } from '../fixtures/sse.js'
import { eventually } from '../fixtures/http.js'

// Long tags make each track:indexed event about 4 KB, so a scan sends several MB: more than the
// kernel's socket buffers (about 4 MB on loopback) absorb before the server's own would grow.
const FILES = 1200
const LONG = 'x'.repeat(1000)
const TAGS = { title: `Title ${LONG}`, artist: `Artist ${LONG}`, album: `Album ${LONG}` }

// Tracks a reader learnt about: one per track:indexed, `count` per tracks:indexed summary.
function tracksSeen (messages: SseMessage[]): number {
  let n = 0
  for (const m of messages) {
    if (m.type === 'track:indexed') n++
    else if (m.type === 'tracks:indexed') n += m.count as number
  }
  return n
}

async function startScan (address: string): Promise<string> {
  const res = await fetch(`${address}/api/scan/start`, { method: 'POST' })
  return ((await res.json()) as { id: string }).id
}

const media = await tempDir(t, 'sonantica-media-')
await writeManyFiles(media, FILES, 200, TAGS)

t.test('a client that never reads holds a bounded buffer while a scan sends thousands of events', async (t) => {
  // A long send timeout: the buffer must stay small because events are held, not because the
  // client was cut off.
  const { env } = await testEnv(t, { mediaPath: media, env: { SEND_TIMEOUT_MS: '600000' } })
  const { app } = await buildScanAppWithEnv(t, env)
  const sockets = serverSockets(app)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const stalled = await stalledClient(address, '/api/scan/events', sockets)
  t.after(() => stalled.client.destroy())

  // Subscribed after the stalled client, so this runs right after each write to it.
  let peak = 0
  let sent = 0
  const unsubscribe = await app.scanEvents.subscribe((event) => {
    if (event.type === 'track:indexed') sent += JSON.stringify(event).length
    peak = Math.max(peak, stalled.server.writableLength)
  })
  t.after(unsubscribe)

  let scanId = ''
  const messages = await readMessages(`${address}/api/scan/events`, (m) => m.some((e) => e.type === 'scan:complete'), async () => {
    scanId = await startScan(address)
  })
  await waitForScan(app, scanId)
  t.ok(sent > 6 * 1024 * 1024, `the scan sent ${sent} bytes of track events`)
  t.ok(peak < 256 * 1024, `the server buffered at most ${peak} bytes for the client that never reads`)
  t.notOk(stalled.server.destroyed, 'held, not disconnected (the send timeout is long)')
  t.match(messages.at(-1), { type: 'scan:complete', stats: { tracks: FILES } })
  t.equal(tracksSeen(messages), FILES, 'a reader learns of every track, one by one or in summaries')
  t.ok(messages.some((m) => m.type === 'scan:progress'))
})

t.test('a client that stays behind is disconnected; a reader still gets scan:complete', async (t) => {
  // Small batches: each one's burst is folded into a summary for the stalled client, so many
  // of them are needed before its kernel buffers are full and it is truly behind.
  const { env } = await testEnv(t, { mediaPath: media, env: { SEND_TIMEOUT_MS: '1000', SCAN_BATCH_SIZE: '20' } })
  const { app } = await buildScanAppWithEnv(t, env)
  const sockets = serverSockets(app)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const stalled = await stalledClient(address, '/api/scan/events', sockets)
  t.after(() => stalled.client.destroy())
  let disconnected = false
  void stalled.closedByServer.then(() => { disconnected = true })

  let scanId = ''
  const messages = await readMessages(`${address}/api/scan/events`, (m) => m.some((e) => e.type === 'scan:complete'), async () => {
    scanId = await startScan(address)
  })
  await waitForScan(app, scanId)
  t.match(messages.at(-1), { type: 'scan:complete', stats: { tracks: FILES } })
  // The send timeout is 1 s; a loaded machine may run its timer late.
  t.ok(await eventually(() => disconnected, 3000), 'the server closed the stalled client\'s connection')
  t.ok(stalled.server.destroyed, 'its socket, and so its descriptor, is released')
})

t.test('SSE_MAX_CLIENTS caps open streams with a 503; a slot frees when a client leaves', async (t) => {
  const { env } = await testEnv(t, { mediaPath: await tempDir(t), env: { SSE_MAX_CLIENTS: '2' } })
  const { app } = await buildScanAppWithEnv(t, env)
  const sockets = serverSockets(app)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const first = await stalledClient(address, '/api/scan/events', sockets)
  const second = await stalledClient(address, '/api/scan/events', sockets)
  t.after(() => { first.client.destroy(); second.client.destroy() })

  const refused = await fetch(`${address}/api/scan/events`)
  t.equal(refused.status, 503)
  t.match(refused.headers.get('content-type'), /application\/json/)
  t.equal(refused.headers.get('retry-after'), '30')
  t.match(await refused.json(), { statusCode: 503, error: 'Service Unavailable', message: /at most 2/, code: 'SSE_CLIENTS_FULL' })

  first.client.destroy()
  await first.closedByServer
  const status = (): Promise<number> => new Promise((resolve, reject) => {
    const req = request(`${address}/api/scan/events`, { agent: false }, (res) => {
      resolve(res.statusCode ?? 0)
      req.destroy()
    })
    req.on('error', reject)
    req.end()
  })
  let answered = 0
  t.ok(await eventually(async () => (answered = await status()) === 200, 100), `a new client gets in once one left (last answer ${answered})`)
})

t.test('HEAD of the event stream answers its headers at once and holds no slot', async (t) => {
  const { env } = await testEnv(t, { mediaPath: await tempDir(t), env: { SSE_MAX_CLIENTS: '1' } })
  const { app } = await buildScanAppWithEnv(t, env)
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  for (let i = 0; i < 3; i++) {
    const res = await fetch(`${address}/api/scan/events`, { method: 'HEAD', signal: AbortSignal.timeout(5000) })
    t.equal(res.status, 200, `HEAD ${i + 1} answered`)
    t.match(res.headers.get('content-type'), /^text\/event-stream/)
  }
  const messages = await readMessages(`${address}/api/scan/events`, () => true, async () => {})
  t.same(messages, [], 'the one stream slot is still free for a GET')
})
