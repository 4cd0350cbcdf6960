// Whether a stream request is answered with the file's own bytes or with a transcode, and which.
// The same rules serve /api/stream and Subsonic's stream, so an app gets the same audio from both.
import { clampBitrate, TARGETS, type TargetFormat } from './formats.js'

export interface StreamAsk {
  // undefined: the client named no format.
  format?: TargetFormat | 'raw'
  // kbps; undefined or 0: no limit asked.
  bitrate?: number
  // Seconds into the track; a transcode starts there.
  offset?: number
}

export interface TranscodeAsk extends StreamAsk {
  // Content-Length = duration × bitrate / 8, the body padded or cut to it (Subsonic's
  // estimateContentLength: players that size their buffer or progress bar from it).
  estimateContentLength?: boolean
}

export interface SourceAudio {
  // The library's short codec name (lib/library/audio-format.ts); null when unknown.
  codec: string | null
  // Bits per second as indexed; null when unknown.
  bitrate: number | null
}

export interface TranscodeDefaults {
  format: TargetFormat
  bitrate: number
}

export type StreamChoice =
  | { raw: true }
  | { raw: false, format: TargetFormat, bitrate: number | null, offset: number }

// Encoders and taggers round: a "128 kbps" VBR MP3 is indexed at 128–135 kbps on average, and
// re-encoding it to 128 would only lose quality.
const FIT_TOLERANCE = 1.06

function fits (source: SourceAudio, format: TargetFormat, kbps: number | null): boolean {
  if (source.codec !== TARGETS[format].sourceCodec) return false
  if (kbps === null) return true
  return source.bitrate !== null && source.bitrate > 0 && source.bitrate <= kbps * 1000 * FIT_TOLERANCE
}

// A cap is met by the source's own bytes only when its bitrate is known to be under it.
function underCap (source: SourceAudio, capKbps: number): boolean {
  return source.bitrate !== null && source.bitrate > 0 && source.bitrate <= capKbps * 1000 * FIT_TOLERANCE
}

const positive = (value: number | undefined): number | null => value === undefined || value <= 0 ? null : value

/**
 * `userCap` is the caller's maximum bitrate (kbps, null: none); it caps every request, raw ones
 * included, since it is what the user's connection or plan can carry. An explicit `raw` never seeks.
 */
export function chooseStream (ask: StreamAsk, source: SourceAudio, defaults: TranscodeDefaults, userCap: number | null): StreamChoice {
  const asked = positive(ask.bitrate)
  const cap = asked === null ? userCap : userCap === null ? asked : Math.min(asked, userCap)
  const offset = ask.format === 'raw' ? 0 : positive(ask.offset) ?? 0

  if (ask.format === undefined || ask.format === 'raw') {
    // A bitrate alone (Subsonic's maxBitRate) asks for a transcode only when the file exceeds it.
    if (offset === 0 && (cap === null || underCap(source, cap))) return { raw: true }
    return { raw: false, format: defaults.format, bitrate: clampBitrate(cap ?? defaults.bitrate), offset }
  }

  // A lossless target cannot honour a cap: the cap wins and picks the default lossy format.
  if (TARGETS[ask.format].lossless) {
    if (userCap !== null) return chooseStream({ ...ask, format: undefined, bitrate: userCap }, source, defaults, userCap)
    if (offset === 0 && fits(source, ask.format, null)) return { raw: true }
    return { raw: false, format: ask.format, bitrate: null, offset }
  }

  const bitrate = clampBitrate(cap ?? defaults.bitrate)
  if (offset === 0 && fits(source, ask.format, bitrate)) return { raw: true }
  return { raw: false, format: ask.format, bitrate, offset }
}
