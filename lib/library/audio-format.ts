// What the API says about a track's encoding, derived from what the scanner stored. The database
// keeps music-metadata's own words (container "MPEG-4", codec "MPEG-4/AAC", bitrate in bits per
// second) and the API turns them into the Sonántica apps' vocabulary when a row is read: existing
// libraries show the new shape without a rescan, and a better mapping later needs no migration.

// The short names the apps know. Anything else gets a fallback (see shortCodec).
export const KNOWN_CODECS = ['mp3', 'flac', 'aac', 'alac', 'opus', 'vorbis', 'wav', 'aiff', 'wma', 'ape', 'wavpack', 'dsd'] as const

// Containers that say what the codec is whatever music-metadata calls the stream inside
// (WavPack and AIFF report "PCM", Musepack a version number, Monkey's Audio nothing).
const BY_CONTAINER: Array<[RegExp, string]> = [
  [/^wavpack/, 'wavpack'],
  [/^monkey/, 'ape'],
  [/^musepack/, 'mpc'],
  [/^(dsf|dsdiff)/, 'dsd']
]

// Codec names as music-metadata writes them: "MPEG 1 Layer 3", "MPEG-4/AAC+SBR", "Vorbis I",
// "Windows Media Audio V8", "Speex 1.2", WAVE's format tags ("MPEGLAYER3", "MPEG_ADTS_AAC") and
// Matroska's codec ids ("MPEG/L3", "PCM/INT/LIT"). Words are delimited by anything but a letter.
const word = (w: string): RegExp => new RegExp(`(^|[^a-z])(${w})($|[^a-z])`)
const BY_CODEC: Array<[RegExp, string]> = [
  [/layer ?3|mpeg\/l3/, 'mp3'],
  [/layer ?2|mpeg\/l2/, 'mp2'],
  [/layer ?1|mpeg\/l1/, 'mp1'],
  [word('mp3'), 'mp3'],
  [word('mp2'), 'mp2'],
  [word('alac'), 'alac'],
  [word('flac'), 'flac'],
  [word('aac|mp4a'), 'aac'],
  [word('opus'), 'opus'],
  [word('vorbis'), 'vorbis'],
  [/windows media|(^|[^a-z])wma/, 'wma'],
  [word('speex'), 'speex'],
  [/^(dsd|dst)($|[^a-z])/, 'dsd']
]

// Uncompressed samples outside WAVE and AIFF (Matroska's "PCM/INT/LIT", "PCM/FLOAT/IEEE").
const SAMPLES = /^(pcm|lpcm|ieee_float)/

const cache = new Map<string, string | null>()

/**
 * The short, lower-case codec name for a stored (container, codec) pair: one of KNOWN_CODECS
 * when it is one of those; otherwise mp1, mp2, mpc, speex, pcm (uncompressed samples in some
 * other container), or the codec's own name in lower case with everything but letters and digits
 * removed ("AC-3" → "ac3", MP4's "MPEG-4/AC-3" too); null when neither says anything.
 */
export function shortCodec (container: string | null, codec: string | null): string | null {
  const key = `${container ?? ''}\u0000${codec ?? ''}`
  let name = cache.get(key)
  if (name === undefined) {
    name = derive((container ?? '').trim().toLowerCase(), (codec ?? '').trim().toLowerCase())
    if (cache.size < 1000) cache.set(key, name)
  }
  return name
}

function derive (container: string, codec: string): string | null {
  for (const [pattern, name] of BY_CONTAINER) if (pattern.test(container)) return name
  for (const [pattern, name] of BY_CODEC) if (pattern.test(codec)) return name
  // WAVE and AIFF name their sample format ("PCM", "IEEE_FLOAT", "sowt", "alaw"), not a codec.
  if (/^(wave|rf64|bwf)/.test(container)) return 'wav'
  if (/^aif/.test(container)) return 'aiff'
  if (SAMPLES.test(codec)) return 'pcm'
  // MP4 prefixes the stream's format with the family ("MPEG-4/AC-3").
  const own = codec.replace(/^mpeg-4\//, '').replace(/[^a-z0-9]+/g, '')
  return own === '' ? null : own.slice(0, 32)
}

/** Bits per second as stored → whole kilobits per second, as the apps show them. */
export function kbps (bitsPerSecond: number | null): number | null {
  if (bitsPerSecond === null || !Number.isFinite(bitsPerSecond) || bitsPerSecond < 0) return null
  return Math.round(bitsPerSecond / 1000)
}
