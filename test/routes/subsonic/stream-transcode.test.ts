// Subsonic's stream parameters (format, maxBitRate, timeOffset) as apps send them, through the
// subsonic-api client, on the same transcoder as /api/stream.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath } from '../../fixtures/scan.js'
import { addUser } from '../../fixtures/users.js'
import { apiKeyClient, signedUp } from '../../fixtures/subsonic.js'
import { decodedSeconds, probe, saveBody } from '../../fixtures/transcoded.js'
import { tempDir } from '../../helper.js'
import { EXTENSIONS } from '../../../lib/subsonic/system-model.js'

const LONG = 40

t.test('Subsonic stream transcodes', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  const out = await tempDir(t, 'sonantica-out-')
  const tags = { title: 'Song', artist: 'Artist', album: 'Album' }
  await writeAudioFixture(media, 'flac', { tags, seconds: LONG, name: 'long' })
  // The fixtures' MP3 is 64 kbps.
  await writeAudioFixture(media, 'mp3', { tags, seconds: 6, name: 'small' })
  const { app, pg } = await buildScanApp(t, { mediaPath: media, env: { TRANSCODE_MAX: '2', TRANSCODE_WAIT_MS: '60000' } })
  const admin = await addUser(pg, 'ana', 'admin')
  await signedUp(app)
  await scan(app, admin.headers)
  const client = apiKeyClient(app, admin.key)
  const ids = new Map([...(await tracksByPath(pg))].map(([path, row]) => [path, row.id as string]))
  const flac = { id: ids.get('long.flac') ?? '', path: join(media, 'long.flac') }
  const mp3 = { id: ids.get('small.mp3') ?? '', path: join(media, 'small.mp3') }

  const body = async (res: Response): Promise<Buffer> => Buffer.from(await res.arrayBuffer())
  const audio = async (res: Response, name: string): Promise<{ codec?: string, bitRate?: string, seconds: number }> => {
    const path = await saveBody(out, name, await body(res))
    const stream = (await probe(path)).streams.find((s) => s.codec_type === 'audio') as { codec_name?: string, bit_rate?: string } | undefined
    return { codec: stream?.codec_name, bitRate: stream?.bit_rate, seconds: await decodedSeconds(path) }
  }

  t.test('format=mp3&maxBitRate=96: MP3 at 96 kbps', async (t) => {
    const res = await client.stream({ id: flac.id, format: 'mp3', maxBitRate: 96 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'audio/mpeg')
    t.equal(res.headers.get('accept-ranges'), 'none')
    const got = await audio(res, 'mp3-96')
    t.equal(got.codec, 'mp3')
    t.equal(got.bitRate, '96000')
    t.ok(Math.abs(got.seconds - LONG) < 0.5, `${got.seconds} s`)
  })

  t.test('maxBitRate alone on a FLAC: the default format', async (t) => {
    const res = await client.stream({ id: flac.id, maxBitRate: 64 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'audio/ogg')
    t.equal((await audio(res, 'default')).codec, 'opus')
  })

  t.test('maxBitRate above the source\'s: the file', async (t) => {
    for (const maxBitRate of [128, 320]) {
      const res = await client.stream({ id: mp3.id, maxBitRate })
      t.equal(res.status, 200)
      t.equal(res.headers.get('accept-ranges'), 'bytes')
      t.ok((await body(res)).equals(await readFile(mp3.path)), `maxBitRate=${maxBitRate}`)
    }
  })

  t.test('timeOffset=30 starts 30 s in', async (t) => {
    const res = await client.stream({ id: flac.id, format: 'mp3', maxBitRate: 64, timeOffset: 30 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('x-content-duration'), (LONG - 30).toFixed(2))
    const got = await audio(res, 'offset')
    t.ok(Math.abs(got.seconds - (LONG - 30)) < 0.5, `${got.seconds} s`)
  })

  t.test('format=raw and an unknown format: the file', async (t) => {
    const bytes = await readFile(flac.path)
    for (const args of [{ format: 'raw' as const }, { format: 'raw' as const, timeOffset: 0 }, { format: 'wav' as 'raw' }, { format: 'wav' as 'raw', maxBitRate: 0 }]) {
      const res = await client.stream({ id: flac.id, ...args })
      t.equal(res.status, 200, JSON.stringify(args))
      t.equal(res.headers.get('content-type'), 'audio/flac')
      t.ok((await body(res)).equals(bytes), `${JSON.stringify(args)}: the file's bytes`)
    }
  })

  // transcodeOffset is advertised: apps then seek with timeOffset whatever format they asked for.
  t.test('format=raw with timeOffset: a seek, in the default format from that time', async (t) => {
    const res = await client.stream({ id: flac.id, format: 'raw', timeOffset: 30 })
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'audio/ogg')
    const got = await audio(res, 'raw-seek')
    t.ok(Math.abs(got.seconds - (LONG - 30)) < 0.5, `${got.seconds} s`)
  })

  t.test('estimateContentLength: the promised length', async (t) => {
    const res = await client.stream({ id: flac.id, format: 'mp3', maxBitRate: 64, timeOffset: 30, estimateContentLength: true })
    const expected = Math.ceil((LONG - 30) * 64 * 1000 / 8)
    t.equal(res.headers.get('content-length'), String(expected))
    t.equal((await body(res)).length, expected)
  })

  t.test('getOpenSubsonicExtensions is unaffected', async (t) => {
    const res = await client.getOpenSubsonicExtensions()
    t.equal(res.status, 'ok')
    t.same(res.openSubsonicExtensions, EXTENSIONS)
    t.equal(app.transcoding.transcoder.running, 0)
  })
})
