// /api/stream transcodes end to end: real files in every format the scanner knows, through the
// app, read back with ffprobe and a decoder.
import t from 'tap'
import { readFile, readdir, utimes, writeFile } from 'node:fs/promises'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { LightMyRequestResponse } from 'fastify'
import { FORMATS, writeAudioFixture, type AudioFormat } from '../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath } from '../fixtures/scan.js'
import { buildOpen } from '../fixtures/open-app.js'
import { seedTrack } from '../fixtures/seed-track.js'
import { decodedSeconds, describe, probe, saveBody, TARGET_CODEC } from '../fixtures/transcoded.js'
import { eachVariant, tempDir, type TestApp, type TestLike } from '../helper.js'
import { TARGET_FORMATS, TARGETS, type TargetFormat } from '../../lib/transcode/formats.js'

const run = promisify(execFile)
const SOURCES = Object.keys(FORMATS) as AudioFormat[]
// Short files for the format matrix (every encode costs), long ones where offset=30 must fit.
const SHORT = 6
const LONG = 40
const ENV = { TRANSCODE_MAX: '2', TRANSCODE_WAIT_MS: '60000' }

interface Track { id: string, path: string, duration: number }

async function library (t: TestLike): Promise<{ app: TestApp, tracks: Map<string, Track>, media: string, out: string }> {
  const media = await tempDir(t, 'sonantica-media-')
  for (const format of SOURCES) {
    const tags = { title: `Title ${format}`, artist: 'Artist', album: 'Album' }
    const cover = FORMATS[format].cover
    await writeAudioFixture(join(media, 'short'), format, { tags, cover, seconds: SHORT, name: format })
    await writeAudioFixture(join(media, 'long'), format, { tags, cover, seconds: LONG, name: format })
  }
  // A 128 kbps MP3: what "already fits" means for mp3 128 and 192.
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', `sine=duration=${SHORT}`, '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k',
    join(media, 'short', 'cbr128.mp3')])
  const { app, pg } = await buildScanApp(t, { mediaPath: media, env: ENV })
  await scan(app)
  const tracks = new Map<string, Track>()
  for (const [path, row] of await tracksByPath(pg)) {
    tracks.set(path.replace(/\.[a-z0-9]+$/, '').replace(/\.m4a$/, ''), { id: row.id as string, path: join(media, path), duration: Number(row.duration) })
  }
  return { app, tracks, media, out: await tempDir(t, 'sonantica-out-') }
}

const track = (tracks: Map<string, Track>, key: string): Track => {
  const found = tracks.get(key)
  if (found === undefined) throw new Error(`no track ${key} in ${[...tracks.keys()].join(', ')}`)
  return found
}

// Two at a time: the machine's two cores, and TRANSCODE_MAX.
async function inPairs<T> (items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += 2) await Promise.all(items.slice(i, i + 2).map(fn))
}

const near = (a: number, b: number, within = 0.5): boolean => Math.abs(a - b) <= within

interface Fetched { status: number, headers: Headers, body: Buffer }

// Over a real socket: a transcode is kept once the response has closed after its last byte,
// which light-my-request's inject never reports (its response emits no 'close').
async function fetchBytes (url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  const res = await fetch(url, { headers })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

// The entry is committed just after the response ends.
async function cached (cache: TestApp['transcoding']['cache'], count: number): Promise<void> {
  for (let i = 0; i < 250 && cache.count < count; i++) await new Promise((resolve) => setTimeout(resolve, 20))
}

t.test('transcodes through /api/stream', async (t) => {
  const started = Date.now()
  const { app, tracks, out } = await library(t)
  const get = async (id: string, query: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
    await app.inject({ url: `/api/stream/${id}?${query}`, headers })
  const { transcoder, cache } = app.transcoding
  let starts = 0
  const start = transcoder.start.bind(transcoder)
  transcoder.start = async (...args) => { starts++; return await start(...args) }

  t.test('every source format to every target', async (t) => {
    const pairs = SOURCES.flatMap((source) => TARGET_FORMATS.map((target) => ({ source, target })))
    await inPairs(pairs, async ({ source, target }) => {
      const src = track(tracks, `short/${source}`)
      const query = target === 'flac' ? 'format=flac' : `format=${target}&bitrate=96`
      const res = await get(src.id, query)
      const what = `${source} → ${target}`
      t.equal(res.statusCode, 200, `${what}: ${res.statusCode === 200 ? '' : res.body}`)
      // Sources that already are the target at or under 96 kbps (or lossless to FLAC) stay files.
      const fits = (source === 'mp3' && target === 'mp3') || (source === 'opus' && target === 'opus') ||
        (source === 'm4a' && target === 'aac') || (source === 'flac' && target === 'flac')
      if (fits) {
        t.equal(res.headers['accept-ranges'], 'bytes', `${what}: the file`)
        t.ok(res.rawPayload.equals(await readFile(src.path)), `${what}: the file's bytes`)
        return
      }
      t.equal(res.headers['content-type'], TARGETS[target].contentType, `${what}: content type`)
      t.equal(res.headers['accept-ranges'], 'none', `${what}: live`)
      t.equal(res.headers['content-length'], undefined, `${what}: no length promised`)
      t.ok(near(Number(res.headers['x-content-duration']), src.duration, 0.01), `${what}: X-Content-Duration ${String(res.headers['x-content-duration'])}`)
      const path = await saveBody(out, `${source}-${target}`, res.rawPayload)
      const got = await describe(path)
      t.equal(got.codec, TARGET_CODEC[target], `${what}: ffprobe reads ${target}`)
      t.notOk(got.video, `${what}: no cover`)
      t.equal(got.tags.title, undefined, `${what}: no title tag`)
      t.equal(got.tags.artist, undefined, `${what}: no artist tag`)
      const seconds = await decodedSeconds(path)
      t.ok(near(seconds, SHORT), `${what}: ${seconds} s of audio`)
    })
  })

  t.test('the sources did have tags and covers', async (t) => {
    for (const format of ['mp3', 'flac', 'm4a'] as const) {
      const path = track(tracks, `short/${format}`).path
      t.equal((await probe(path)).format.tags?.title, `Title ${format}`)
      t.ok((await describe(path)).video, `${format} has a cover`)
    }
  })

  t.test('offset=30 starts 30 s in, from every source format', async (t) => {
    const asks = [
      ...SOURCES.map((source) => ({ source, target: 'opus' as TargetFormat })),
      ...(['mp3', 'aac', 'flac'] as const).map((target) => ({ source: 'flac' as AudioFormat, target }))
    ]
    await inPairs(asks, async ({ source, target }) => {
      const src = track(tracks, `long/${source}`)
      const res = await get(src.id, `format=${target}&offset=30`)
      const what = `${source} → ${target} at 30 s`
      t.equal(res.statusCode, 200, what)
      t.ok(near(Number(res.headers['x-content-duration']), src.duration - 30, 0.01), `${what}: X-Content-Duration ${String(res.headers['x-content-duration'])}`)
      const path = await saveBody(out, `${source}-${target}-30`, res.rawPayload)
      t.equal((await describe(path)).codec, TARGET_CODEC[target], what)
      const seconds = await decodedSeconds(path)
      t.ok(near(seconds, LONG - 30), `${what}: ${seconds} s of audio`)
    })
  })

  t.test('estimateContentLength: exactly duration × bitrate / 8 bytes', async (t) => {
    const src = track(tracks, 'long/flac')
    for (const [query, seconds] of [['format=mp3&bitrate=64&estimateContentLength=true', src.duration],
      ['format=opus&bitrate=48&offset=30&estimateContentLength=true', src.duration - 30]] as const) {
      const kbps = Number(/bitrate=(\d+)/.exec(query)?.[1])
      const res = await get(src.id, query)
      const expected = Math.ceil(seconds * kbps * 1000 / 8)
      t.equal(res.statusCode, 200)
      t.equal(res.headers['content-length'], String(expected), query)
      t.equal(res.rawPayload.length, expected, `${query}: the body is that long`)
      t.equal(res.headers['accept-ranges'], 'none')
      const decoded = await decodedSeconds(await saveBody(out, 'estimated', res.rawPayload))
      // CBR MP3 fits its estimate; Ogg's pages make Opus a little longer, so it is cut short.
      if (query.includes('mp3')) t.ok(near(decoded, seconds), `${query}: the whole audio (${decoded} s)`)
      else t.ok(decoded > seconds / 2 && decoded < seconds + 0.5, `${query}: ${decoded} s, cut to the length`)
    }
  })

  t.test('HEAD answers the headers and starts no ffmpeg', async (t) => {
    const src = track(tracks, 'long/wav')
    const before = { starts, count: cache.count }
    for (const query of ['format=opus', 'format=mp3&bitrate=64&estimateContentLength=true', 'offset=30']) {
      const res = await app.inject({ method: 'HEAD', url: `/api/stream/${src.id}?${query}` })
      t.equal(res.statusCode, 200, query)
      t.equal(res.rawPayload.length, 0)
      t.equal(res.headers['accept-ranges'], 'none', query)
      t.ok(res.headers['x-content-duration'], query)
      t.equal(transcoder.running, 0, 'no ffmpeg running')
      if (query.includes('estimate')) t.equal(res.headers['content-length'], String(Math.ceil(src.duration * 64 * 1000 / 8)))
      else t.equal(res.headers['content-length'], undefined)
    }
    t.equal(starts, before.starts, 'no ffmpeg was ever started')
    t.equal(cache.count, before.count, 'nothing cached')
  })

  t.test('a finished transcode is served from the cache with ranges; a retag makes it live again', async (t) => {
    const src = track(tracks, 'long/ogg')
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `${base}/api/stream/${src.id}?format=aac&bitrate=64`
    const count = cache.count
    const first = await fetchBytes(url)
    t.equal(first.status, 200)
    t.equal(first.headers.get('accept-ranges'), 'none', 'the first is live')
    await cached(cache, count + 1)
    const startsBefore = starts
    const second = await fetchBytes(url)
    t.equal(second.status, 200)
    t.equal(second.headers.get('accept-ranges'), 'bytes', 'the next is the cached file')
    t.equal(second.headers.get('content-type'), 'audio/aac')
    t.equal(second.headers.get('content-length'), String(first.body.length))
    t.ok(second.headers.get('x-content-duration'))
    t.ok(second.body.equals(first.body), 'the same bytes')
    const part = await fetchBytes(url, { range: 'bytes=100-1099' })
    t.equal(part.status, 206)
    t.equal(part.headers.get('content-range'), `bytes 100-1099/${first.body.length}`)
    t.ok(part.body.equals(first.body.subarray(100, 1100)), 'the range\'s bytes')
    const tail = await fetchBytes(url, { range: 'bytes=-500' })
    t.equal(tail.status, 206)
    t.ok(tail.body.equals(first.body.subarray(-500)))
    const etag = second.headers.get('etag')
    t.ok(etag, 'a validator')
    t.equal((await fetchBytes(url, { 'if-none-match': etag ?? '' })).status, 304)
    t.equal(starts, startsBefore, 'no ffmpeg for cached answers')

    const entries = async (): Promise<string[]> => (await readdir(cache.dir)).filter((name) => name.startsWith(src.id) && name.endsWith('.tc'))
    const old = await entries()
    t.equal(old.length, 1, 'one entry for the track')
    // Retagged: rewritten, with a new modification time.
    await writeFile(src.path, await readFile(src.path))
    const later = new Date(Date.now() + 60_000)
    await utimes(src.path, later, later)
    const after = await fetchBytes(url)
    t.equal(after.status, 200)
    t.equal(after.headers.get('accept-ranges'), 'none', 'live again')
    t.equal(starts, startsBefore + 1)
    t.notOk((await entries()).includes(old[0]), 'the old version\'s entry is gone')
  })

  t.test('a source that already fits is the file', async (t) => {
    const startsBefore = starts
    const mp3 = track(tracks, 'short/cbr128')
    const bytes = await readFile(mp3.path)
    for (const query of ['format=mp3&bitrate=128', 'format=mp3&bitrate=192', 'bitrate=128', 'bitrate=320', 'format=raw', '']) {
      const res = await get(mp3.id, query)
      t.equal(res.statusCode, 200, query)
      t.equal(res.headers['content-type'], 'audio/mpeg', query)
      t.equal(res.headers['accept-ranges'], 'bytes', query)
      t.ok(res.rawPayload.equals(bytes), `${query}: the file's bytes`)
    }
    const flac = track(tracks, 'long/flac')
    const res = await get(flac.id, 'format=flac')
    t.equal(res.headers['content-type'], 'audio/flac')
    t.ok(res.rawPayload.equals(await readFile(flac.path)), 'flac asked of a FLAC: the file')
    t.equal(starts, startsBefore, 'no ffmpeg')
  })

  t.test('bad asks are 400', async (t) => {
    const id = track(tracks, 'short/flac').id
    for (const query of ['format=raw&offset=5', 'bitrate=31', 'bitrate=321', 'format=wav', 'offset=-1', 'offset=abc']) {
      const res = await get(id, query)
      t.equal(res.statusCode, 400, query)
      t.match(res.headers['content-type'], /application\/json/, query)
    }
    t.equal(transcoder.running, 0)
  })

  t.test('every ffmpeg has exited', async (t) => {
    t.equal(transcoder.running, 0)
    t.comment(`transcode matrix: ${((Date.now() - started) / 1000).toFixed(1)} s`)
  })
})

t.test('a live transcode, then the cached one, on each database backend', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await tempDir(t, 'sonantica-media-')
    await writeAudioFixture(media, 'flac', { seconds: SHORT, name: 'one' })
    const { app, pg } = await buildScanApp(t, { backend: v.backend, mediaPath: media, env: ENV })
    await scan(app)
    const [row] = [...(await tracksByPath(pg)).values()]
    const base = await app.listen({ port: 0, host: '127.0.0.1' })
    const url = `${base}/api/stream/${row.id as string}?format=opus&bitrate=64`
    const live = await fetchBytes(url)
    t.equal(live.status, 200)
    t.equal(live.headers.get('accept-ranges'), 'none')
    await cached(app.transcoding.cache, 1)
    const hit = await fetchBytes(url)
    t.equal(hit.headers.get('accept-ranges'), 'bytes')
    t.ok(hit.body.equals(live.body))
  })
})

// When ffmpeg fails before its first byte the body is never handed to the reply; its error must
// still be heard, or it would end the process a tick after the 500.
t.test('an undecodable file is a 500 and nothing else', async (t) => {
  const { app } = await buildOpen(t, { env: ENV })
  await writeFile(join(app.config.mediaPath, 'bad.flac'), Buffer.alloc(5000, 7))
  const id = await seedTrack(app.pg, { filePath: 'bad.flac', fileSize: 5000, container: 'flac', codec: 'flac' })
  const res = await app.inject(`/api/stream/${id}?format=opus`)
  t.equal(res.statusCode, 500)
  t.match(res.json(), { message: /could not be transcoded/ })
  // The unhandled error surfaces a tick after the answer.
  await new Promise((resolve) => setTimeout(resolve, 200))
  t.equal(app.transcoding.transcoder.running, 0)
})
