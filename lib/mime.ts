import { extname } from 'node:path'

// Audio content types by extension. Players pick a decoder from Content-Type (Safari and some
// casting targets refuse application/octet-stream), so every container the scanner indexes
// has an entry.
const AUDIO_TYPES: Readonly<Record<string, string>> = {
  mp3: 'audio/mpeg',
  mp2: 'audio/mpeg',
  mp1: 'audio/mpeg',
  mpga: 'audio/mpeg',
  aac: 'audio/aac',
  adts: 'audio/aac',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  mp4: 'audio/mp4',
  alac: 'audio/mp4',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  spx: 'audio/ogg',
  opus: 'audio/opus',
  wav: 'audio/wav',
  bwf: 'audio/wav',
  aif: 'audio/aiff',
  aiff: 'audio/aiff',
  aifc: 'audio/aiff',
  wma: 'audio/x-ms-wma',
  asf: 'audio/x-ms-wma',
  ape: 'audio/x-ape',
  wv: 'audio/x-wavpack',
  mpc: 'audio/x-musepack',
  dsf: 'audio/x-dsf',
  dff: 'audio/x-dff',
  mka: 'audio/x-matroska',
  webm: 'audio/webm',
  weba: 'audio/webm'
}

export const FALLBACK_TYPE = 'application/octet-stream'

export function audioContentType (filePath: string): string {
  return AUDIO_TYPES[extname(filePath).slice(1).toLowerCase()] ?? FALLBACK_TYPE
}
