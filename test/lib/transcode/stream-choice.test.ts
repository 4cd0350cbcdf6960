import t from 'tap'
import { chooseStream, type SourceAudio, type StreamAsk } from '../../../lib/transcode/stream-choice.js'
import { clampBitrate, isTargetFormat, MAX_BITRATE, MIN_BITRATE } from '../../../lib/transcode/formats.js'

const defaults = { format: 'opus' as const, bitrate: 128 }
const flac: SourceAudio = { codec: 'flac', bitrate: 900_000 }
const mp3At = (kbps: number): SourceAudio => ({ codec: 'mp3', bitrate: kbps * 1000 })
const choose = (ask: StreamAsk, source: SourceAudio, cap: number | null = null): ReturnType<typeof chooseStream> =>
  chooseStream(ask, source, defaults, cap)
const RAW = { raw: true }

t.test('nothing asked: the file', async (t) => {
  t.same(choose({}, flac), RAW)
  t.same(choose({ bitrate: 0 }, flac), RAW, 'bitrate 0 is no limit (Subsonic)')
  t.same(choose({ offset: 0 }, flac), RAW)
  t.same(choose({ format: 'raw' }, flac), RAW)
  t.same(choose({}, { codec: null, bitrate: null }), RAW, 'unknown source, nothing asked')
})

t.test('a bitrate alone transcodes only a source above it, to the default format', async (t) => {
  t.same(choose({ bitrate: 96 }, flac), { raw: false, format: 'opus', bitrate: 96, offset: 0 })
  t.same(choose({ bitrate: 128 }, mp3At(128)), RAW, 'at the bitrate')
  t.same(choose({ bitrate: 128 }, mp3At(64)), RAW, 'under it')
  t.same(choose({ bitrate: 128 }, mp3At(135)), RAW, 'within the tolerance (VBR averages)')
  t.same(choose({ bitrate: 128 }, mp3At(140)), { raw: false, format: 'opus', bitrate: 128, offset: 0 }, 'past the tolerance')
  t.same(choose({ bitrate: 128 }, { codec: 'mp3', bitrate: null }), { raw: false, format: 'opus', bitrate: 128, offset: 0 },
    'an unknown bitrate is not known to fit')
  t.same(choose({ bitrate: 128 }, { codec: 'mp3', bitrate: 0 }), { raw: false, format: 'opus', bitrate: 128, offset: 0 })
  t.same(choose({ format: 'raw', bitrate: 96 }, flac), { raw: false, format: 'opus', bitrate: 96, offset: 0 },
    'raw with a bitrate is Subsonic\'s "raw unless it exceeds"')
  t.same(chooseStream({ bitrate: 96 }, flac, { format: 'mp3', bitrate: 192 }, null), { raw: false, format: 'mp3', bitrate: 96, offset: 0 },
    'the configured default format')
})

t.test('a lossy target: a same-codec source at or under the bitrate is the file', async (t) => {
  t.same(choose({ format: 'mp3', bitrate: 128 }, mp3At(128)), RAW)
  t.same(choose({ format: 'mp3', bitrate: 192 }, mp3At(128)), RAW)
  t.same(choose({ format: 'mp3', bitrate: 128 }, mp3At(134)), RAW, 'tolerance')
  t.same(choose({ format: 'mp3', bitrate: 128 }, mp3At(320)), { raw: false, format: 'mp3', bitrate: 128, offset: 0 })
  t.same(choose({ format: 'mp3' }, mp3At(128)), RAW, 'no bitrate: the default one')
  t.same(choose({ format: 'mp3' }, mp3At(256)), { raw: false, format: 'mp3', bitrate: 128, offset: 0 })
  t.same(choose({ format: 'opus', bitrate: 128 }, mp3At(64)), { raw: false, format: 'opus', bitrate: 128, offset: 0 },
    'another codec is transcoded even when smaller')
  t.same(choose({ format: 'opus', bitrate: 96 }, { codec: 'opus', bitrate: 64_000 }), RAW)
  t.same(choose({ format: 'aac', bitrate: 128 }, { codec: 'aac', bitrate: 128_000 }), RAW)
  t.same(choose({ format: 'mp3', bitrate: 128 }, { codec: 'mp3', bitrate: null }), { raw: false, format: 'mp3', bitrate: 128, offset: 0 },
    'unknown bitrate: transcoded')
  t.same(choose({ format: 'mp3', bitrate: 128 }, { codec: null, bitrate: 64_000 }), { raw: false, format: 'mp3', bitrate: 128, offset: 0 },
    'unknown codec: transcoded')
})

t.test('a lossless target', async (t) => {
  t.same(choose({ format: 'flac' }, flac), RAW, 'a FLAC source is the file')
  t.same(choose({ format: 'flac', bitrate: 96 }, flac), RAW, 'a bitrate means nothing to a lossless target')
  t.same(choose({ format: 'flac' }, mp3At(128)), { raw: false, format: 'flac', bitrate: null, offset: 0 })
  t.same(choose({ format: 'flac' }, { codec: 'alac', bitrate: 900_000 }), { raw: false, format: 'flac', bitrate: null, offset: 0 })
  t.same(choose({ format: 'flac', offset: 10 }, flac), { raw: false, format: 'flac', bitrate: null, offset: 10 })
  // A user cap turns it into the default lossy format at the cap, unless the source is under it.
  t.same(choose({ format: 'flac' }, flac, 160), { raw: false, format: 'opus', bitrate: 160, offset: 0 })
  t.same(choose({ format: 'flac' }, mp3At(128), 160), RAW, 'the source is under the cap')
  t.same(choose({ format: 'flac', offset: 5 }, mp3At(128), 160), { raw: false, format: 'opus', bitrate: 160, offset: 5 })
})

t.test('offset forces a transcode; explicit raw never seeks', async (t) => {
  t.same(choose({ offset: 30 }, flac), { raw: false, format: 'opus', bitrate: 128, offset: 30 })
  t.same(choose({ offset: 30 }, mp3At(128)), { raw: false, format: 'opus', bitrate: 128, offset: 30 }, 'even a source that fits')
  t.same(choose({ format: 'mp3', bitrate: 128, offset: 30 }, mp3At(128)), { raw: false, format: 'mp3', bitrate: 128, offset: 30 })
  t.same(choose({ format: 'flac', offset: 30 }, flac), { raw: false, format: 'flac', bitrate: null, offset: 30 })
  t.same(choose({ offset: 12.5 }, flac), { raw: false, format: 'opus', bitrate: 128, offset: 12.5 }, 'fractions kept')
  t.same(choose({ offset: -3 }, flac), RAW, 'a negative offset is none')
  t.same(choose({ format: 'raw', offset: 30 }, flac), RAW, 'raw ignores the offset')
  t.same(choose({ format: 'raw', offset: 30, bitrate: 96 }, flac), { raw: false, format: 'opus', bitrate: 96, offset: 0 },
    'raw over a bitrate is transcoded, still from the start')
})

t.test('a user cap caps raw requests and asked bitrates', async (t) => {
  t.same(choose({}, flac, 96), { raw: false, format: 'opus', bitrate: 96, offset: 0 })
  t.same(choose({ format: 'raw' }, flac, 96), { raw: false, format: 'opus', bitrate: 96, offset: 0 })
  t.same(choose({}, mp3At(64), 96), RAW, 'under the cap')
  t.same(choose({}, { codec: 'mp3', bitrate: null }, 96), { raw: false, format: 'opus', bitrate: 96, offset: 0 }, 'not known to be under it')
  t.same(choose({ format: 'mp3', bitrate: 320 }, flac, 96), { raw: false, format: 'mp3', bitrate: 96, offset: 0 }, 'the lower wins')
  t.same(choose({ format: 'mp3', bitrate: 64 }, flac, 96), { raw: false, format: 'mp3', bitrate: 64, offset: 0 })
  t.same(choose({ bitrate: 192 }, flac, 96), { raw: false, format: 'opus', bitrate: 96, offset: 0 })
  t.same(choose({ format: 'mp3' }, flac, 96), { raw: false, format: 'mp3', bitrate: 96, offset: 0 }, 'the cap before the default bitrate')
  t.same(choose({ format: 'mp3', bitrate: 320 }, mp3At(96), 96), RAW, 'a source under both is the file')
})

t.test('bitrates are clamped to what the encoders have', async (t) => {
  t.same(choose({ format: 'mp3', bitrate: 8 }, flac), { raw: false, format: 'mp3', bitrate: MIN_BITRATE, offset: 0 })
  t.same(choose({ format: 'mp3', bitrate: 10_000 }, flac), { raw: false, format: 'mp3', bitrate: MAX_BITRATE, offset: 0 })
  t.same(choose({ bitrate: 10 }, flac), { raw: false, format: 'opus', bitrate: MIN_BITRATE, offset: 0 })
  t.same(choose({}, { codec: 'pcm', bitrate: 1_411_200 }, 1000), { raw: false, format: 'opus', bitrate: MAX_BITRATE, offset: 0 },
    'a cap above the top, on a source above the cap')
  t.same(choose({}, flac, 1000), RAW, 'a source under a high cap is the file')
  t.same(choose({ format: 'mp3', bitrate: 96.4 }, flac), { raw: false, format: 'mp3', bitrate: 96, offset: 0 }, 'rounded')
  t.equal(clampBitrate(31), 32)
  t.equal(clampBitrate(321), 320)
  t.equal(clampBitrate(127.6), 128)
  t.ok(isTargetFormat('opus'))
  t.notOk(isTargetFormat('wav'))
  t.notOk(isTargetFormat('raw'))
})
