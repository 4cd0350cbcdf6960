import t from 'tap'
import { randomBytes } from 'node:crypto'
import { mkdir, rm, utimes, writeFile, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { eventually, makeMp3, rawRequest, run } from '../fixtures/http.js'
import { eachVariant } from '../helper.js'

const BIG = 3 * 1024 * 1024 + 123 // past the small-range buffer path, so streams are exercised too

async function mediaWith (app: { config: { mediaPath: string } }, files: Record<string, Buffer>): Promise<void> {
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(join(app.config.mediaPath, rel, '..'), { recursive: true })
    await writeFile(join(app.config.mediaPath, rel), bytes)
  }
}

t.test('byte ranges, validators and HEAD over a real socket', async (t) => {
  const { app } = await buildOpen(t)
  const bytes = randomBytes(BIG)
  await mediaWith(app, { 'Artist/Album/01 Song.flac': bytes })
  const id = await seedTrack(app.pg, { filePath: 'Artist/Album/01 Song.flac', fileSize: BIG })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `${base}/api/stream/${id}`

  await t.test('no Range: 200 with the whole file', async (t) => {
    const res = await fetch(url)
    t.equal(res.status, 200)
    t.equal(res.headers.get('accept-ranges'), 'bytes')
    t.equal(res.headers.get('content-length'), String(BIG))
    t.equal(res.headers.get('content-type'), 'audio/flac')
    t.match(res.headers.get('etag'), /^"[0-9a-f]+-[0-9a-f]+"$/)
    t.ok(res.headers.get('last-modified'))
    t.match(res.headers.get('cache-control'), /private/)
    t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), 'body equals the file')
  })

  await t.test('single ranges: 206 with the exact bytes', async (t) => {
    const cases: Array<[string, number, number]> = [
      ['bytes=0-0', 0, 0],
      ['bytes=0-99', 0, 99],
      ['bytes=100-', 100, BIG - 1],
      ['bytes=-500', BIG - 500, BIG - 1],
      ['bytes=1000-2000000', 1000, 2000000],
      ['bytes=5-99999999', 5, BIG - 1]
    ]
    for (const [range, start, end] of cases) {
      const res = await fetch(url, { headers: { range } })
      t.equal(res.status, 206, range)
      t.equal(res.headers.get('content-range'), `bytes ${start}-${end}/${BIG}`, range)
      t.equal(res.headers.get('content-length'), String(end - start + 1), range)
      t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(start, end + 1)), `${range} body`)
    }
  })

  await t.test('unsatisfiable: 416 with the size', async (t) => {
    for (const range of [`bytes=${BIG}-`, `bytes=${BIG + 10}-${BIG + 20}`, 'bytes=-0']) {
      const res = await fetch(url, { headers: { range } })
      t.equal(res.status, 416, range)
      t.equal(res.headers.get('content-range'), `bytes */${BIG}`)
      t.equal((await res.json() as { statusCode: number }).statusCode, 416)
    }
  })

  await t.test('malformed, foreign-unit and multiple ranges: 200 with the whole file', async (t) => {
    for (const range of ['bytes=abc', 'bytes', 'bytes=1-2-3', 'items=0-5', 'bytes=0-9,20-29', 'bytes=0-1,-5']) {
      const res = await fetch(url, { headers: { range } })
      t.equal(res.status, 200, range)
      t.equal(res.headers.get('content-length'), String(BIG))
      t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes), `${range} body`)
    }
  })

  await t.test('conditional requests', async (t) => {
    const first = await fetch(url, { method: 'HEAD' })
    const etag = first.headers.get('etag') ?? ''
    const lastModified = first.headers.get('last-modified') ?? ''

    const byTag = await fetch(url, { headers: { 'if-none-match': etag } })
    t.equal(byTag.status, 304)
    t.equal(byTag.headers.get('etag'), etag)
    t.equal((await byTag.arrayBuffer()).byteLength, 0)
    t.equal((await fetch(url, { headers: { 'if-none-match': '"other"' } })).status, 200)

    t.equal((await fetch(url, { headers: { 'if-modified-since': lastModified } })).status, 304)
    const old = new Date(Date.parse(lastModified) - 3600_000).toUTCString()
    const stale = await fetch(url, { headers: { 'if-modified-since': old, range: 'bytes=0-9' } })
    t.equal(stale.status, 206)

    const rangeTag = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': etag } })
    t.equal(rangeTag.status, 206, 'If-Range with the current ETag: the range')
    t.ok(Buffer.from(await rangeTag.arrayBuffer()).equals(bytes.subarray(10, 20)))
    const rangeDate = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': lastModified } })
    t.equal(rangeDate.status, 206, 'If-Range with the current date: the range')
    await rangeDate.arrayBuffer()

    for (const ifRange of ['"stale-tag"', `W/${etag}`, old]) {
      const res = await fetch(url, { headers: { range: 'bytes=10-19', 'if-range': ifRange } })
      t.equal(res.status, 200, `If-Range ${ifRange}: whole file`)
      t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes))
    }

    // A resumed download names the version it started with; a changed file must not be spliced.
    for (const ifMatch of [etag, `"other", ${etag}`, '*']) {
      const res = await fetch(url, { headers: { range: 'bytes=10-19', 'if-match': ifMatch } })
      t.equal(res.status, 206, `If-Match ${ifMatch}: the range`)
      t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(10, 20)))
    }
    for (const headers of [{ 'if-match': '"stale-tag"' }, { 'if-match': `W/${etag}` }, { 'if-unmodified-since': old }] as Array<Record<string, string>>) {
      const res = await fetch(url, { headers: { range: 'bytes=10-19', ...headers } })
      t.equal(res.status, 412, `${JSON.stringify(headers)}: 412`)
      t.match(await res.json(), { statusCode: 412, error: 'Precondition Failed' })
    }
    const unmodified = await fetch(url, { headers: { range: 'bytes=10-19', 'if-unmodified-since': lastModified } })
    t.equal(unmodified.status, 206, 'If-Unmodified-Since the current date: the range')
    await unmodified.arrayBuffer()
    t.equal((await fetch(url, { headers: { 'if-match': '"stale-tag"', 'if-unmodified-since': lastModified } })).status, 412,
      'If-Match decides when both are sent')
  })

  await t.test('HEAD: same headers, no body', async (t) => {
    for (const headers of [{}, { range: 'bytes=100-199' }, { range: `bytes=${BIG}-` }] as Array<Record<string, string>>) {
      const get = await rawRequest(base, `/api/stream/${id}`, { headers })
      const head = await rawRequest(base, `/api/stream/${id}`, { method: 'HEAD', headers })
      t.equal(head.status, get.status)
      for (const name of ['content-length', 'content-range', 'content-type', 'etag', 'last-modified', 'accept-ranges']) {
        if (get.status === 416 && (name === 'content-length' || name === 'content-type')) continue
        t.equal(head.headers[name], get.headers[name], `${name} for ${JSON.stringify(headers)}`)
      }
      t.equal(head.body.length, 0)
    }
  })

  await t.test('the /stream alias and the path form serve the same bytes', async (t) => {
    for (const path of ['/stream/' + id, '/api/stream/Artist/Album/01%20Song.flac', '/api/stream/Artist/Album/01 Song.flac',
      '/api/stream/' + encodeURIComponent('Artist/Album/01 Song.flac'), '/stream/Artist/Album/01%20Song.flac']) {
      const res = await rawRequest(base, path.replace(/ /g, '%20'), { headers: { range: 'bytes=7-70006' } })
      t.equal(res.status, 206, path)
      t.ok(res.body.equals(bytes.subarray(7, 70007)), path)
    }
    const upper = await fetch(`${base}/api/stream/${id.toUpperCase()}`, { headers: { range: 'bytes=0-3' } })
    t.equal(upper.status, 206, 'ids are case-insensitive')
    await upper.arrayBuffer()
  })

  await t.test('unknown ids and paths: 404 in the error shape', async (t) => {
    for (const path of ['/api/stream/00000000-0000-4000-8000-000000000000', '/api/stream/Artist/Album',
      '/api/stream/Artist/Album/01%20song.flac', '/api/stream/nope', '/stream/a/b/c.mp3']) {
      const res = await rawRequest(base, path)
      t.equal(res.status, 404, path)
      t.same(JSON.parse(res.body.toString()), { statusCode: 404, error: 'Not Found', message: 'Track not found' })
    }
    const bad = await rawRequest(base, '/api/stream/%E0%A4%A')
    t.equal(bad.status, 400, 'broken percent-encoding is a 400')
  })
})

t.test('content types follow the extension', async (t) => {
  const { app } = await buildOpen(t)
  const types: Record<string, string> = {
    'a.mp3': 'audio/mpeg',
    'b.FLAC': 'audio/flac',
    'c.ogg': 'audio/ogg',
    'd.opus': 'audio/opus',
    'e.m4a': 'audio/mp4',
    'f.wav': 'audio/wav',
    'g.aiff': 'audio/aiff',
    'h.wma': 'audio/x-ms-wma',
    'i.wv': 'audio/x-wavpack',
    'j.ape': 'audio/x-ape',
    'k.dsf': 'audio/x-dsf',
    'l.webm': 'audio/webm',
    'm.aac': 'audio/aac'
  }
  await mediaWith(app, Object.fromEntries(Object.keys(types).map((name) => [name, Buffer.from(name)])))
  for (const name of Object.keys(types)) await seedTrack(app.pg, { filePath: name })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  for (const [name, type] of Object.entries(types)) {
    const res = await fetch(`${base}/api/stream/${name}`)
    t.equal(res.headers.get('content-type'), type, name)
    t.equal(await res.text(), name)
  }
})

t.test('a file changed or deleted since the scan', async (t) => {
  const { app } = await buildOpen(t)
  const path = join(app.config.mediaPath, 'song.mp3')
  await writeFile(path, Buffer.alloc(5000, 1))
  // The row still has the scan's numbers; the response must follow the file.
  const id = await seedTrack(app.pg, { filePath: 'song.mp3', fileSize: 100, fileMtimeMs: 1 })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `${base}/api/stream/${id}`

  const first = await fetch(url)
  t.equal(first.headers.get('content-length'), '5000')
  t.equal((await first.arrayBuffer()).byteLength, 5000)
  const etag = first.headers.get('etag') ?? ''

  const grown = randomBytes(BIG)
  await writeFile(path, grown)
  await utimes(path, new Date(), new Date(Date.now() + 5000))
  const changed = await fetch(url, { headers: { 'if-none-match': etag } })
  t.equal(changed.status, 200, 'an old ETag no longer matches')
  t.not(changed.headers.get('etag'), etag)
  t.equal(changed.headers.get('content-length'), String(BIG))
  t.ok(Buffer.from(await changed.arrayBuffer()).equals(grown))
  const tail = await fetch(url, { headers: { range: 'bytes=-10' } })
  t.equal(tail.headers.get('content-range'), `bytes ${BIG - 10}-${BIG - 1}/${BIG}`)
  t.ok(Buffer.from(await tail.arrayBuffer()).equals(grown.subarray(BIG - 10)))

  await rm(path)
  const gone = await fetch(url)
  t.equal(gone.status, 404)
  t.equal((await gone.json() as { message: string }).message, 'Track not found')
})

t.test('an empty file', async (t) => {
  const { app } = await buildOpen(t)
  await writeFile(join(app.config.mediaPath, 'empty.mp3'), Buffer.alloc(0))
  const id = await seedTrack(app.pg, { filePath: 'empty.mp3' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const whole = await fetch(`${base}/api/stream/${id}`)
  t.equal(whole.status, 200)
  t.equal(whole.headers.get('content-length'), '0')
  t.equal((await whole.arrayBuffer()).byteLength, 0)
  const ranged = await fetch(`${base}/api/stream/${id}`, { headers: { range: 'bytes=0-' } })
  t.equal(ranged.status, 416)
  t.equal(ranged.headers.get('content-range'), 'bytes */0')
  await ranged.arrayBuffer()
})

t.test('ffprobe reads and seeks the stream over HTTP', async (t) => {
  const { app } = await buildOpen(t)
  await makeMp3(join(app.config.mediaPath, 'tone.mp3'), 120)
  const id = await seedTrack(app.pg, { filePath: 'tone.mp3' })
  const ranges: string[] = []
  app.server.on('request', (request: { headers: { range?: string } }) => { ranges.push(request.headers.range ?? '') })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const url = `${base}/api/stream/${id}`

  const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration,format_name', '-of', 'json', url])
  const format = (JSON.parse(probe.stdout) as { format: { duration: string, format_name: string } }).format
  t.equal(format.format_name, 'mp3')
  t.ok(Math.abs(Number(format.duration) - 120) < 0.5, `duration ${format.duration}`)

  // fastseek: jump by byte offset (a Range request) instead of reading up to the position.
  ranges.length = 0
  const seek = await run('ffprobe', ['-v', 'error', '-fflags', '+fastseek', '-read_intervals', '90%+1', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', url])
  const first = Number(seek.stdout.trim().split('\n')[0])
  t.ok(first >= 89 && first < 91, `ffprobe starts reading near 90 s (got ${first})`)
  t.ok(ranges.some((r) => /^bytes=[1-9]\d*-/.test(r)), 'ffprobe seeked with a Range request')

  ranges.length = 0
  await run('ffmpeg', ['-v', 'error', '-fflags', '+fastseek', '-ss', '100', '-i', url, '-t', '1', '-f', 'null', '-'])
  t.ok(ranges.some((r) => /^bytes=[1-9]\d*-/.test(r)), 'ffmpeg -ss seeked with a Range request')
})

t.test('with an API key', async (t) => {
  const { app } = await buildOpen(t, { env: { API_KEY: 's3cret key' } })
  const bytes = randomBytes(2000)
  await mediaWith(app, { 'x.ogg': bytes })
  const id = await seedTrack(app.pg, { filePath: 'x.ogg' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  const none = await fetch(`${base}/api/stream/${id}`)
  t.equal(none.status, 401)
  t.equal((await none.json() as { statusCode: number }).statusCode, 401)
  for (const path of [`/api/stream/${id}?api_key=wrong`, `/stream/${id}?api_key=`, '/api/stream/x.ogg?api_key=nope']) {
    const res = await fetch(base + path)
    t.equal(res.status, 401, path)
    t.notOk(Buffer.from(await res.arrayBuffer()).includes(bytes.subarray(0, 16)))
  }
  const byQuery = await fetch(`${base}/api/stream/${id}?api_key=${encodeURIComponent('s3cret key')}`)
  t.equal(byQuery.status, 200)
  t.ok(Buffer.from(await byQuery.arrayBuffer()).equals(bytes))
  const byPath = await fetch(`${base}/api/stream/x.ogg?api_key=${encodeURIComponent('s3cret key')}`, { headers: { range: 'bytes=0-9' } })
  t.equal(byPath.status, 206)
  t.ok(Buffer.from(await byPath.arrayBuffer()).equals(bytes.subarray(0, 10)))
  const byHeader = await fetch(`${base}/stream/${id}`, { headers: { authorization: 'Bearer s3cret key', range: 'bytes=-4' } })
  t.equal(byHeader.status, 206)
  t.ok(Buffer.from(await byHeader.arrayBuffer()).equals(bytes.subarray(-4)))
})

t.test('STREAM_OFFLOAD=x-accel answers with the internal location and no body', async (t) => {
  const { app } = await buildOpen(t, { env: { STREAM_OFFLOAD: 'x-accel', STREAM_OFFLOAD_PREFIX: '/protected-media' } })
  await mediaWith(app, { 'Björk/Début/01 Human #1?.flac': Buffer.alloc(4096, 3) })
  const id = await seedTrack(app.pg, { filePath: 'Björk/Début/01 Human #1?.flac' })
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const res = await rawRequest(base, `/api/stream/${id}`, { headers: { range: 'bytes=0-9' } })
  t.equal(res.status, 200)
  t.equal(res.headers['x-accel-redirect'], '/protected-media/Bj%C3%B6rk/D%C3%A9but/01%20Human%20%231%3F.flac')
  t.equal(res.headers['content-type'], 'audio/flac')
  t.equal(res.body.length, 0)
  const missing = await rawRequest(base, '/api/stream/00000000-0000-4000-8000-000000000000')
  t.equal(missing.status, 404)
  t.notOk(missing.headers['x-accel-redirect'])
})

t.test('smoke on each database backend', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const { app } = await buildOpen(t, { backend: v.backend })
    const bytes = randomBytes(10_000)
    await mediaWith(app, { 'a/b.mp3': bytes })
    const id = await seedTrack(app.pg, { filePath: 'a/b.mp3' })
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const res = await fetch(`${base}/api/stream/${id}`, { headers: { range: 'bytes=100-199' } })
    t.equal(res.status, 206)
    t.ok(Buffer.from(await res.arrayBuffer()).equals(bytes.subarray(100, 200)))
    t.equal((await fetch(`${base}/api/stream/a/b.mp3`, { method: 'HEAD' })).headers.get('content-length'), '10000')
    t.equal(await readFile(join(app.config.mediaPath, 'a/b.mp3')).then((b) => b.length), 10_000)
    t.ok(await eventually(() => true))
  })
})
