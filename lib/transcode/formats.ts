// What the service transcodes to. Each target is a codec in the one container that Chromium's and
// Firefox's <audio> and Android's ExoPlayer all play from a plain HTTP body with no index at the
// start: Opus in Ogg, MP3, AAC in ADTS (fragmented MP4 needs a moov box first and plays nowhere
// better) and FLAC. Bitrates are kbps; FLAC has none (it is lossless).

export const TARGET_FORMATS = ['opus', 'mp3', 'aac', 'flac'] as const
export type TargetFormat = typeof TARGET_FORMATS[number]

// The bitrates a lossy target may be asked for: below 32 kbps even Opus is speech quality, and
// above 320 MP3 has no mode (Opus and AAC gain nothing audible there either).
export const MIN_BITRATE = 32
export const MAX_BITRATE = 320

interface TargetSpec {
  contentType: string
  // The short codec name of the library (lib/library/audio-format.ts) that already is this target.
  sourceCodec: string
  lossless: boolean
  // ffmpeg's encoder and muxer.
  encoder: string
  muxer: string
  // Opus encodes at 48 kHz only; the others keep the source's rate up to 48 kHz.
  sampleRate: number | null
  // Encoder options beyond the bitrate.
  options: readonly string[]
}

// Opus's default unconstrained VBR spends well over the bitrate on simple signals (132 kbps for a
// capped 96): constrained VBR keeps a user's maximum bitrate a maximum.
const OPUS_OPTIONS = ['-vbr', 'constrained']

export const TARGETS: Readonly<Record<TargetFormat, TargetSpec>> = {
  opus: { contentType: 'audio/ogg', sourceCodec: 'opus', lossless: false, encoder: 'libopus', muxer: 'ogg', sampleRate: 48_000, options: OPUS_OPTIONS },
  mp3: { contentType: 'audio/mpeg', sourceCodec: 'mp3', lossless: false, encoder: 'libmp3lame', muxer: 'mp3', sampleRate: null, options: [] },
  aac: { contentType: 'audio/aac', sourceCodec: 'aac', lossless: false, encoder: 'aac', muxer: 'adts', sampleRate: null, options: [] },
  flac: { contentType: 'audio/flac', sourceCodec: 'flac', lossless: true, encoder: 'flac', muxer: 'flac', sampleRate: null, options: [] }
}

export function isTargetFormat (value: string): value is TargetFormat {
  return (TARGET_FORMATS as readonly string[]).includes(value)
}

export function clampBitrate (kbps: number): number {
  return Math.min(MAX_BITRATE, Math.max(MIN_BITRATE, Math.round(kbps)))
}
