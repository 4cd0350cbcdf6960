// Lyrics as the songLyrics extension writes them (getLyricsBySongId: every version, timed lines
// where there are timings) and as the classic getLyrics does (one text, found by artist and title).
import type { TrackT } from '../../schemas/library.js'
import type { StructuredLyrics } from '../lyrics/structured-lyrics.js'
import type { SubsonicNode } from './response.js'

export function structuredLyrics (track: TrackT, lyrics: StructuredLyrics): SubsonicNode {
  return {
    displayArtist: lyrics.displayArtist ?? track.artist,
    displayTitle: lyrics.displayTitle ?? track.title,
    lang: lyrics.lang,
    synced: lyrics.synced,
    offset: lyrics.offsetMs === 0 ? undefined : lyrics.offsetMs,
    line: lyrics.lines.map((line) => ({ start: line.startMs, value: line.text }))
  }
}

// getLyrics has room for one plain text: an unsynced version when there is one, else the lines
// of a synced one without their times.
export function plainLyrics (track: TrackT, versions: StructuredLyrics[]): SubsonicNode {
  const chosen = versions.find((lyrics) => !lyrics.synced) ?? versions[0]
  if (chosen === undefined) return {}
  return { artist: track.artist, title: track.title, value: chosen.lines.map((line) => line.text).join('\n') }
}

const same = (a: string, b: string): boolean => a.normalize('NFC').toLowerCase() === b.normalize('NFC').toLowerCase()

// What getLyrics searches the library for; null when neither was given.
export function lyricsSearch (artist: string | undefined, title: string | undefined): string | null {
  const words = [artist, title].filter((part) => part !== undefined && part.trim() !== '').join(' ').trim()
  return words === '' ? null : words
}

// The search finds every track holding the words; only the track whose artist and title are the
// ones asked for (case aside) is meant.
export function isAskedTrack (track: TrackT, artist: string | undefined, title: string | undefined): boolean {
  const fits = (asked: string | undefined, actual: string): boolean => asked === undefined || asked.trim() === '' || same(asked.trim(), actual)
  return fits(artist, track.artist) && fits(title, track.title)
}
