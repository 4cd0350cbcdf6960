import { extensionOf } from './paths.js'

// Every container music-metadata reads, by extension, with the content type it is streamed
// with. The scanner indexes exactly these extensions, so every indexed track has a type: players
// pick a decoder from Content-Type (Safari and some casting targets refuse
// application/octet-stream).
export const AUDIO_CONTENT_TYPES: ReadonlyMap<string, string> = new Map(Object.entries({
  mp3: 'audio/mpeg',
  mp2: 'audio/mpeg',
  mp1: 'audio/mpeg',
  aac: 'audio/aac',
  m4a: 'audio/mp4',
  m4b: 'audio/mp4',
  mp4: 'audio/mp4',
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
}))

const FALLBACK_TYPE = 'application/octet-stream'

export function audioContentType (filePath: string): string {
  return AUDIO_CONTENT_TYPES.get(extensionOf(filePath)) ?? FALLBACK_TYPE
}
