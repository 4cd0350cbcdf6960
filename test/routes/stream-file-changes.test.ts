// The file on disk, not the index, decides what a stream serves: a file whose size changed since
// the last scan is served at its current size and the index learns it, and a path is found in
// either Unicode normal form.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdir, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { connect } from 'node:net'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { rawRequest } from '../fixtures/http.js'
import { eachVariant } from '../helper.js'

t.test('a file whose size changed since the scan', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { app } = await buildOpen(t, { backend: v.backend })
    const bytes = randomBytes(4000)
    await writeFile(join(app.config.mediaPath, 'song.mp3'), bytes)
    const id = await seedTrack(app.pg, { filePath: 'song.mp3', fileSize: bytes.length, fileMtimeMs: 1_700_000_000_000 })
    const base = await app.listen({ port: 0, host: '127.0.0.1' })

    await truncate(join(app.config.mediaPath, 'song.mp3'), 0)
    const empty = await rawRequest(base, `/api/stream/${id}`)
    t.equal(empty.status, 200, 'truncated to 0 bytes: served as it is')
    t.equal(empty.headers['content-length'], '0', 'a Content-Length that tells the truth')
    t.equal(empty.body.length, 0)
    const ranged = await rawRequest(base, `/api/stream/${id}`, { headers: { range: 'bytes=0-99' } })
    t.equal(ranged.status, 416)
    t.equal(ranged.headers['content-range'], 'bytes */0')
    t.equal((await app.inject(`/api/library/tracks/${id}`)).json().fileSize, 0, 'the track shows its real size before any rescan')
    const { rows: [row] } = await app.pg.query<{ file_mtime_ms: string }>('SELECT file_mtime_ms FROM tracks WHERE id = $1', [id])
    t.equal(Number(row.file_mtime_ms), -1, 'marked so that the next scan reads the file again')

    const grown = randomBytes(1500)
    await writeFile(join(app.config.mediaPath, 'song.mp3'), grown)
    // Past the stream lookup's short memory of the row.
    await new Promise((resolve) => setTimeout(resolve, 2100))
    const res = await rawRequest(base, '/api/stream/song.mp3', { headers: { range: 'bytes=1000-' } })
    t.equal(res.status, 206)
    t.equal(res.headers['content-range'], 'bytes 1000-1499/1500')
    t.ok(res.body.equals(grown.subarray(1000)))
    t.equal((await app.inject(`/api/library/tracks/${id}`)).json().fileSize, 1500)
  })
})

t.test('a path is found whichever Unicode normal form the URL and the file use', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { app } = await buildOpen(t, { backend: v.backend })
    const nfd = 'Sigur Ro\u0301s/Hoppi\u0301polla.mp3'
    const nfc = 'Bjo\u0308rk'.normalize('NFC') + '/Jo\u0301ga.mp3'.normalize('NFC')
    const files: Record<string, Buffer> = { [nfd]: randomBytes(300), [nfc]: randomBytes(200) }
    for (const [rel, data] of Object.entries(files)) {
      await mkdir(join(app.config.mediaPath, rel, '..'), { recursive: true })
      await writeFile(join(app.config.mediaPath, rel), data)
      await seedTrack(app.pg, { filePath: rel, fileSize: data.length })
    }
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const get = async (path: string) => rawRequest(base, `/api/stream/${path.split('/').map(encodeURIComponent).join('/')}`)

    for (const [stored, data] of Object.entries(files)) {
      for (const form of ['NFC', 'NFD'] as const) {
        const res = await get(stored.normalize(form))
        t.equal(res.status, 200, `${form} request for a ${stored === nfd ? 'NFD' : 'NFC'} file`)
        t.ok(res.body.equals(data), 'the right bytes')
      }
    }
    t.equal((await get('Sigur Ros/Hoppipolla.mp3')).status, 404, 'normalisation is not accent folding')
  })
})

t.test('a file cut short while it is sent closes the connection instead of ending early', async (t) => {
  const { app } = await buildOpen(t)
  const file = join(app.config.mediaPath, 'long.flac')
  const size = 24 * 1024 * 1024
  await writeFile(file, randomBytes(size))
  const id = await seedTrack(app.pg, { filePath: 'long.flac', fileSize: size })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const { port } = new URL(base)

  const socket = connect(Number(port), '127.0.0.1')
  socket.on('error', () => {})
  let received = 0
  let truncated = false
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length
    // Once the first megabyte is here, the file shrinks to 4 MB under the running stream.
    if (!truncated && received > 1024 * 1024) {
      truncated = true
      socket.pause()
      truncate(file, 4 * 1024 * 1024).then(() => socket.resume(), () => socket.resume())
    }
  })
  // Keep-alive: a server that merely ended the body would leave this connection open.
  socket.write(`GET /api/stream/${id} HTTP/1.1\r\nHost: x\r\n\r\n`)
  const outcome = await Promise.race([closed.then(() => 'closed'), new Promise((resolve) => setTimeout(() => resolve('open'), 15_000))])
  socket.destroy()
  t.equal(outcome, 'closed', 'the server closed the connection')
  t.ok(received < size, `the client got ${received} of the ${size} bytes promised, and knows it`)
})
