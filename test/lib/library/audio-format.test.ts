// The (container, codec) pairs music-metadata 11 writes, and the short names the apps get.
// Formats the fixtures can encode are also checked end to end in test/routes/library/track-format.test.ts.
import t from 'tap'
import { KNOWN_CODECS, kbps, shortCodec } from '../../../lib/library/audio-format.js'

const CASES: Array<[string | null, string | null, string | null]> = [
  // What the fixtures' ffmpeg, sox and wavpack files report.
  ['MPEG', 'MPEG 1 Layer 3', 'mp3'],
  ['MPEG', 'MPEG 2 Layer 3', 'mp3'],
  ['MPEG', 'MPEG 2.5 Layer 3', 'mp3'],
  ['FLAC', 'FLAC', 'flac'],
  ['Ogg', 'FLAC', 'flac'],
  ['M4A/isom/iso2', 'MPEG-4/AAC', 'aac'],
  ['M4A/mp42/isom', 'MPEG-4/AAC+SBR', 'aac'],
  ['MPEG', 'AAC', 'aac'],
  ['M4A/isom/iso2', 'ALAC', 'alac'],
  ['Ogg', 'Opus', 'opus'],
  ['Ogg', 'Vorbis I', 'vorbis'],
  ['WAVE', 'PCM', 'wav'],
  ['WAVE', 'IEEE_FLOAT', 'wav'],
  ['WAVE', 'ALAW', 'wav'],
  ['WAVE', 'MPEGLAYER3', 'mp3'],
  ['WAVE', 'MPEG_ADTS_AAC', 'aac'],
  ['AIFF', 'PCM', 'aiff'],
  ['AIFF-C', 'PCM (byte swapped)', 'aiff'],
  ['AIFF-C', '32-bit floating point IEEE 32-bit float', 'aiff'],
  ['ASF/audio', 'Windows Media Audio V8', 'wma'],
  ['ASF/audio', 'Windows Media Audio 9 Lossless', 'wma'],
  ['WavPack', 'PCM', 'wavpack'],
  ['WavPack', 'DSD', 'wavpack'],
  // Formats the fixtures cannot make (no encoder in ffmpeg, or none installed).
  ["Monkey's Audio", null, 'ape'],
  ['DSF', 'DSD', 'dsd'],
  ['DSDIFF/DSD', 'DSD (not compressed)', 'dsd'],
  ['DSDIFF/DSD', 'DST (DST Encoded)', 'dsd'],
  ['EBML/matroska', 'OPUS', 'opus'],
  ['EBML/webm', 'VORBIS', 'vorbis'],
  ['EBML/matroska', 'MPEG/L3', 'mp3'],
  ['EBML/matroska', 'AAC', 'aac'],
  // The documented fallbacks.
  ['MPEG', 'MPEG 1 Layer 2', 'mp2'],
  ['MPEG', 'MPEG 1 Layer 1', 'mp1'],
  ['Musepack, SV7', '7.00', 'mpc'],
  ['Musepack, SV8', null, 'mpc'],
  ['Ogg', 'Speex 1.2.1', 'speex'],
  ['EBML/matroska', 'PCM/INT/LIT', 'pcm'],
  ['EBML/matroska', 'AC3', 'ac3'],
  ['M4A/isom', 'MPEG-4/AC-3', 'ac3'],
  ['EBML/matroska', 'E-AC-3', 'eac3'],
  ['EBML/matroska', 'TRUEHD', 'truehd'],
  ['MPEG', null, null],
  [null, null, null]
]

t.test('every container/codec pair gets its short lower-case name', async (t) => {
  for (const [container, codec, expected] of CASES) {
    t.equal(shortCodec(container, codec), expected, `${container} / ${codec}`)
    t.equal(shortCodec(container, codec), expected, 'the same again (cached)')
  }
})

t.test('names are always lower-case letters and digits', async (t) => {
  for (const codec of ['Some Codec 2.0', 'ÄÖÜ-Codec', '  padded  ', 'x'.repeat(200)]) {
    const name = shortCodec('Whatever', codec)
    t.match(name, /^[a-z0-9]{1,32}$/, codec)
  }
  t.equal(shortCodec('Whatever', '---'), null, 'nothing left of the name: null')
  for (const name of KNOWN_CODECS) t.match(name, /^[a-z0-9]+$/)
})

t.test('bits per second become whole kilobits per second', async (t) => {
  t.equal(kbps(192000), 192)
  t.equal(kbps(320000.4), 320)
  t.equal(kbps(63579.68), 64, 'rounded, not truncated')
  t.equal(kbps(1411200), 1411)
  t.equal(kbps(499), 0)
  t.equal(kbps(null), null)
  t.equal(kbps(-5), null)
  t.equal(kbps(Number.NaN), null)
})
