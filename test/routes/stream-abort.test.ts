// Clients that hang up mid-stream must not leave file descriptors behind.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { eventually } from '../fixtures/http.js'

const openFds = (): number => readdirSync('/proc/self/fd').length
const SIZE = 8 * 1024 * 1024

// Sends one GET, waits for the first body bytes, then destroys the socket.
function abortAfterFirstBytes (port: number, path: string, range?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n${range === undefined ? '' : `Range: ${range}\r\n`}\r\n`)
    })
    let seen = 0
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.length
      if (seen > 1024) { socket.destroy(); resolve() }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve())
  })
}

t.test('aborted downloads release their descriptors', async (t) => {
  const { app } = await buildOpen(t)
  await writeFile(join(app.config.mediaPath, 'big.flac'), randomBytes(SIZE))
  const id = await seedTrack(app.pg, { filePath: 'big.flac' })
  await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = app.server.address() as { port: number }
  const path = `/api/stream/${id}`
  const idle = async (): Promise<boolean> => await new Promise<number>((resolve) => app.server.getConnections((_e, n) => resolve(n))) === 0

  // Warm up so lazily opened descriptors (thread pool, PGlite files) are counted in the baseline.
  await abortAfterFirstBytes(port, path)
  t.ok(await eventually(idle))
  // Descriptors close asynchronously after the socket goes: wait until the count holds still.
  let last = -1
  let steady = 0
  t.ok(await eventually(() => {
    const now = openFds()
    steady = now === last ? steady + 1 : 0
    last = now
    return steady >= 10
  }, 1000), 'descriptor count settles')
  const before = openFds()

  await t.test('one slow client: its file is closed as soon as it hangs up', async (t) => {
    const socket = connect(port, '127.0.0.1')
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`)
    await new Promise((resolve) => socket.once('data', resolve))
    socket.pause()
    t.ok(openFds() >= before + 2, 'socket and file open while the download is in flight')
    socket.destroy()
    t.ok(await eventually(async () => await idle() && openFds() <= before, 1000), `back to the baseline ${before} (now ${openFds()})`)
  })

  await t.test('two thousand aborted requests, 32 at a time', async (t) => {
    const total = 2000
    let next = 0
    const ranges = [undefined, 'bytes=0-', 'bytes=4194304-', 'bytes=100-2000000', 'bytes=0-65535']
    const worker = async (): Promise<void> => {
      while (next < total) {
        const n = next++
        await abortAfterFirstBytes(port, path, ranges[n % ranges.length])
      }
    }
    await Promise.all(Array.from({ length: 32 }, worker))
    t.ok(await eventually(idle, 1000), 'every connection closed')
    t.ok(await eventually(() => openFds() <= before, 1000), `descriptors back to ${before} (now ${openFds()})`)

    // And the service still answers normally afterwards.
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { range: 'bytes=0-9' } })
    t.equal(res.status, 206)
    t.equal((await res.arrayBuffer()).byteLength, 10)
  })
})
