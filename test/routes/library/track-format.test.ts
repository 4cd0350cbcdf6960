// Real files of every format the fixtures can encode, scanned and read back through the API as
// the Sonántica apps read them: format.codec a short name, format.bitrate in kbps, and a
// duration for every track.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir } from '../../helper.js'
import { encodeAudio, writeAudioFixture, writeVbrMp3WithoutXing, type AudioFormat } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import type { TrackT } from '../../../schemas/library.js'

interface Expected { codec: string, container: string | RegExp, lossless: boolean, kbps?: [number, number] }

const EXPECTED: Record<AudioFormat, Expected> = {
  mp3: { codec: 'mp3', container: 'MPEG', lossless: false, kbps: [64, 64] },
  mp2: { codec: 'mp2', container: 'MPEG', lossless: false, kbps: [128, 128] },
  flac: { codec: 'flac', container: 'FLAC', lossless: true },
  ogg: { codec: 'vorbis', container: 'Ogg', lossless: false, kbps: [50, 80] },
  opus: { codec: 'opus', container: 'Ogg', lossless: false },
  spx: { codec: 'speex', container: 'Ogg', lossless: false },
  m4a: { codec: 'aac', container: /^M4A/, lossless: false, kbps: [55, 75] },
  alac: { codec: 'alac', container: /^M4A/, lossless: true },
  wav: { codec: 'wav', container: 'WAVE', lossless: true, kbps: [1411, 1411] },
  aiff: { codec: 'aiff', container: 'AIFF', lossless: true, kbps: [1400, 1420] },
  wma: { codec: 'wma', container: 'ASF/audio', lossless: false, kbps: [64, 64] },
  wv: { codec: 'wavpack', container: 'WavPack', lossless: true }
}

async function allTracks (app: Parameters<typeof scan>[0]): Promise<Map<string, TrackT>> {
  const body = (await app.inject('/api/library/tracks?limit=500')).json() as { tracks: TrackT[] }
  return new Map(body.tracks.map((tr) => [tr.filePath, tr]))
}

t.test('every fixture format: short codec, kbps, container kept, duration from the file', async (t) => {
  const media = await tempDir(t, 'sonantica-formats-')
  const formats = Object.keys(EXPECTED) as AudioFormat[]
  for (const format of formats) {
    await writeAudioFixture(media, format, { name: `tone-${format}`, seconds: 3, tags: { title: `Tone ${format}` } })
  }
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, pg } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const done = await scan(app)
    t.match(done, { status: 'completed', added: formats.length, failed: 0 })
    const tracks = await allTracks(app)
    const { rows } = await pg.query<{ file_path: string, bitrate: number | null }>('SELECT file_path, bitrate FROM tracks')
    const stored = new Map(rows.map((r) => [r.file_path, r.bitrate]))
    for (const format of formats) {
      const path = `tone-${format}.${format === 'alac' ? 'm4a' : format}`
      const track = tracks.get(path)
      const want = EXPECTED[format]
      if (track === undefined) {
        t.fail(`${path} is listed`)
        continue
      }
      t.equal(track.format.codec, want.codec, `${format}: codec`)
      t.match(track.format.container, want.container, `${format}: the container's own name`)
      t.equal(track.format.lossless, want.lossless, `${format}: lossless`)
      const bitrate = track.format.bitrate
      t.ok(Number.isInteger(bitrate) && (bitrate as number) > 0, `${format}: bitrate ${String(bitrate)} is a whole positive number`)
      t.equal(bitrate, Math.round((stored.get(path) as number) / 1000), `${format}: kbps is the stored bits per second / 1000, rounded`)
      if (want.kbps !== undefined) {
        t.ok((bitrate as number) >= want.kbps[0] && (bitrate as number) <= want.kbps[1], `${format}: ${String(bitrate)} kbps is in ${want.kbps.join('-')}`)
      }
      t.ok(Math.abs(track.duration - 3) < 0.1, `${format}: duration ${track.duration} s`)
    }
  })
})

t.test('a VBR MP3 without a Xing header gets its length from its frames', async (t) => {
  const media = await tempDir(t, 'sonantica-vbr-')
  await writeVbrMp3WithoutXing(media, 'vbr', 20)
  const { app } = await buildScanApp(t, { mediaPath: media })
  t.match(await scan(app), { status: 'completed', added: 1 })
  const track = (await allTracks(app)).get('vbr.mp3') as TrackT
  t.ok(Math.abs(track.duration - 20) < 0.2, `duration ${track.duration} s, not an estimate from the first frame's bitrate`)
  t.equal(track.format.codec, 'mp3')
  t.ok((track.format.bitrate as number) > 64, `the average bitrate of the whole file (${String(track.format.bitrate)} kbps)`)
  const errors = (await app.inject(`/api/scans/${(await app.inject('/api/scan/status')).json().scan.id as string}`)).json().errors as unknown[]
  t.same(errors, [], 'no warning: the length is known')
})

t.test('a file whose length cannot be known is indexed with duration 0 and a scan warning', async (t) => {
  const media = await tempDir(t, 'sonantica-nolength-')
  // An Ogg Opus file cut after its first pages: it has a codec and a sample rate, no length.
  const whole = await readFile(await encodeAudio('opus', { seconds: 5 }))
  await writeFile(join(media, 'cut.opus'), whole.subarray(0, 4000))
  await writeAudioFixture(media, 'flac', { name: 'fine', seconds: 1 })
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const done = await scan(app)
    t.match(done, { status: 'completed', added: 2, failed: 0 }, 'a warning is not a failure')
    const tracks = await allTracks(app)
    t.equal(tracks.get('cut.opus')?.duration, 0, 'a number, 0')
    t.equal(tracks.get('cut.opus')?.format.codec, 'opus')
    t.equal(tracks.get('fine.flac')?.duration, 1)
    const errors = (await app.inject(`/api/scans/${done.id}`)).json().errors as Array<{ path: string, message: string }>
    t.same(errors.map((e) => e.path), ['cut.opus'], 'only the file without a length')
    t.match(errors[0]?.message, /^warning: duration unknown/)

    // A rescan that finds the file unchanged does not read it again and reports nothing new.
    const again = await scan(app)
    t.match(again, { status: 'completed', added: 0, updated: 0 })
  })
})
