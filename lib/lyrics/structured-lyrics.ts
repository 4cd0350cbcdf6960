// The OpenSubsonic songLyrics shape, built from what each source yields.
import type { LyricLine, ParsedLrc } from './lrc.js'

export interface StructuredLyrics {
  lang: string
  synced: boolean
  offsetMs: number
  lines: LyricLine[]
  displayArtist?: string
  displayTitle?: string
}

// The spec's value for an unknown language, as taggers write it.
const UNKNOWN_LANG = 'xxx'

// ISO 639 codes, optionally with BCP 47 subtags ("en-GB"); ID3 frames hold three bytes that are
// often "XXX" or padding.
function languageCode (raw: string | undefined): string | undefined {
  const code = raw?.trim().toLowerCase()
  return code !== undefined && /^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$/.test(code) ? code : undefined
}

// The text's own [la:] tag was written for these lyrics; a tag frame's language is often a
// tagger's default, so it comes second.
export function structuredFromLrc (lrc: ParsedLrc, frameLanguage?: string): StructuredLyrics {
  const lyrics: StructuredLyrics = {
    lang: languageCode(lrc.lang) ?? languageCode(frameLanguage) ?? UNKNOWN_LANG,
    synced: lrc.synced,
    offsetMs: lrc.offsetMs,
    lines: lrc.lines
  }
  if (lrc.artist !== undefined) lyrics.displayArtist = lrc.artist
  if (lrc.title !== undefined) lyrics.displayTitle = lrc.title
  return lyrics
}
