// sonantica_streams_active over real sockets that hang up at once with a reset (SO_LINGER 0):
// every stream that was started is ended exactly once, so the gauge comes back to 0 and never
// goes below it.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { buildOpen } from '../fixtures/open-app.js'
import { makeMp3 } from '../fixtures/http.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { parseScrape, value, type Scrape } from '../fixtures/prometheus.js'
import type { TestApp } from '../helper.js'

async function scrape (app: TestApp): Promise<Scrape> {
  const res = await app.inject('/metrics')
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`)
  return parseScrape(res.body)
}

// Sends one GET and resets the connection (an RST, not a FIN) straight after, or a moment
// later: the reset reaches the server before, while or after it makes its answer.
function sendAndReset (port: number, path: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`, () => {
        if (delayMs === 0) socket.resetAndDestroy()
        else setTimeout(() => { socket.resetAndDestroy() }, delayMs)
      })
    })
    socket.on('error', () => {})
    socket.on('close', () => { resolve() })
  })
}

// Sends one GET and hangs up once the first body bytes arrive.
function resetAfterFirstBytes (port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
    })
    socket.once('data', () => { socket.resetAndDestroy() })
    socket.on('error', () => {})
    socket.on('close', () => { resolve() })
  })
}

t.test('streams reset by the client are ended exactly once', async (t) => {
  const { app } = await buildOpen(t, { env: { TRANSCODE_MAX: '2', TRANSCODE_WAIT_MS: '60000' } })
  await writeFile(join(app.config.mediaPath, 'big.flac'), randomBytes(4 * 1024 * 1024))
  const id = await seedTrack(app.pg, { filePath: 'big.flac' })
  await makeMp3(join(app.config.mediaPath, 'tone.mp3'), 20)
  const tone = await seedTrack(app.pg, { filePath: 'tone.mp3', container: 'mpeg', codec: 'mp3' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const base = `http://127.0.0.1:${port}`

  // Polls the gauge until it is back at 0, and sees every value on the way (none below 0).
  const settles = async (): Promise<{ active: number, lowest: number }> => {
    let lowest = Infinity
    let active = -1
    for (let i = 0; i < 50; i++) {
      active = value(await scrape(app), 'sonantica_streams_active')
      lowest = Math.min(lowest, active)
      if (active === 0) break
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return { active, lowest }
  }

  const paths = [
    `/api/stream/${id}`,
    `/api/stream/${tone}?format=opus&bitrate=64`,
    `/rest/stream.view?id=${tone}&format=opus&maxBitRate=64&u=x&v=1.16.1&c=test`
  ]
  for (const path of paths) {
    await t.test(`200 requests reset at once: ${path.split('?')[0]}`, async (t) => {
      const before = await scrape(app)
      const n = 200
      let next = 0
      const worker = async (): Promise<void> => { while (next < n) await sendAndReset(port, path, next++ % 3) }
      await Promise.all(Array.from({ length: 16 }, worker))
      const { active, lowest } = await settles()
      t.equal(active, 0, 'no stream is left active')
      t.ok(lowest >= 0, 'the gauge never went below 0')
      const after = await scrape(app)
      const started = value(after, 'sonantica_streams_total') - value(before, 'sonantica_streams_total')
      t.ok(started <= n, `no more streams counted (${started}) than were asked for`)
    })
  }

  await t.test('streams reset after their first bytes: every one is ended and its bytes counted', async (t) => {
    const before = await scrape(app)
    const n = 40
    for (let i = 0; i < n; i += 4) await Promise.all([0, 1, 2, 3].map(async (k) => { await resetAfterFirstBytes(port, paths[(i + k) % 2]) }))
    const { active, lowest } = await settles()
    t.equal(active, 0, 'no stream is left active')
    t.ok(lowest >= 0, 'the gauge never went below 0')
    const after = await scrape(app)
    const started = value(after, 'sonantica_streams_total') - value(before, 'sonantica_streams_total')
    t.equal(started, n, `each one that sent bytes was a stream (${started})`)
    t.ok(value(after, 'sonantica_stream_sent_bytes_total') - value(before, 'sonantica_stream_sent_bytes_total') >= n, 'and the bytes the sockets took are counted')
  })

  await t.test('streams read to the end are ended once: the gauge is 0, not below', async (t) => {
    const before = await scrape(app)
    let received = 0
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${base}/api/stream/${id}`, { headers: { range: `bytes=${i * 100}-${i * 100 + 999}` } })
      t.equal(res.status, 206)
      received += (await res.arrayBuffer()).byteLength
    }
    const res = await fetch(`${base}/api/stream/${tone}?format=opus&bitrate=64`)
    t.equal(res.status, 200)
    await res.arrayBuffer()
    const { active, lowest } = await settles()
    t.equal(active, 0)
    t.equal(lowest, 0, 'never below 0')
    const after = await scrape(app)
    t.equal(value(after, 'sonantica_streams_total') - value(before, 'sonantica_streams_total'), 11, 'eleven streams')
    t.ok(value(after, 'sonantica_stream_sent_bytes_total') - value(before, 'sonantica_stream_sent_bytes_total') > received, 'their bytes counted')
  })
})
