// LRC (https://en.wikipedia.org/wiki/LRC_(file_format)) as found in sidecar files and in the
// lyrics tags of audio files, where taggers store it verbatim.

export interface LyricLine {
  startMs?: number
  text: string
}

export interface ParsedLrc {
  synced: boolean
  offsetMs: number
  lines: LyricLine[]
  lang?: string
  artist?: string
  title?: string
}

// Lyrics are a few KB; the caps bound the work a hostile tag or file can cause. The input cap
// counts UTF-16 code units, so it admits at least 1 MiB of UTF-8.
export const LRC_MAX_CHARS = 1024 * 1024
export const LRC_MAX_LINES = 10_000

// Some editors write the hundredths after a colon ([mm:ss:xx]).
const TIMESTAMP = /^(\d{1,4}):([0-5]\d)(?:[.:](\d{1,3}))?$/
const WORD_TIMING = /<\d{1,4}:\d{2}(?:[.:]\d{1,3})?>/g
const LEADING_TAG = /^\s*\[([^\]\r\n]*)\]/
// Only the known ID tags: unsynced lyrics use brackets for their own notes ("[Chorus: Ann]").
const ID_TAG = /^(ar|al|ti|au|by|la|lang|length|offset|re|ve|tool|#):(.*)$/is

function timestampMs (tag: string): number | undefined {
  const match = TIMESTAMP.exec(tag.trim())
  if (match === null) return undefined
  const fraction = match[3] ?? ''
  // .x is tenths, .xx hundredths, .xxx milliseconds.
  const ms = fraction === '' ? 0 : Number(fraction) * 10 ** (3 - fraction.length)
  return (Number(match[1]) * 60 + Number(match[2])) * 1000 + ms
}

function lyricText (text: string): string {
  return text.replace(WORD_TIMING, '').trim()
}

type LineShape =
  | { kind: 'timed', starts: number[], text: string }
  | { kind: 'tags', tags: Array<[string, string]> }
  | { kind: 'text', text: string }

function shapeOf (line: string): LineShape {
  const starts: number[] = []
  const tags: Array<[string, string]> = []
  let rest = line
  for (let match = LEADING_TAG.exec(rest); match !== null; match = LEADING_TAG.exec(rest)) {
    const start = timestampMs(match[1])
    const tag = start === undefined ? ID_TAG.exec(match[1].trim()) : null
    if (start !== undefined) starts.push(start)
    else if (tag !== null) tags.push([tag[1].toLowerCase(), tag[2].trim()])
    else break
    rest = rest.slice(match[0].length)
  }
  if (starts.length > 0) return { kind: 'timed', starts, text: lyricText(rest) }
  if (tags.length > 0 && rest.trim() === '') return { kind: 'tags', tags }
  return { kind: 'text', text: lyricText(line) }
}

function withoutOuterBlankLines (lines: LyricLine[]): LyricLine[] {
  let first = 0
  let end = lines.length
  while (first < end && lines[first].text === '') first++
  while (end > first && lines[end - 1].text === '') end--
  return lines.slice(first, end)
}

export function parseLrc (input: string): ParsedLrc {
  const text = input.slice(0, LRC_MAX_CHARS).replace(/^\uFEFF/, '')
  const result: ParsedLrc = { synced: false, offsetMs: 0, lines: [] }
  const timed: LyricLine[] = []
  const plain: LyricLine[] = []
  for (const line of text.split(/\r\n|\r|\n/, LRC_MAX_LINES)) {
    const shape = shapeOf(line)
    if (shape.kind === 'timed') {
      for (const startMs of shape.starts) timed.push({ startMs, text: shape.text })
    } else if (shape.kind === 'text') {
      plain.push({ text: shape.text })
    } else {
      for (const [name, value] of shape.tags) {
        if (value === '') continue
        if (name === 'ar') result.artist = value
        else if (name === 'ti') result.title = value
        else if (name === 'la' || name === 'lang') result.lang = value
        else if (name === 'offset' && /^[+-]?\d{1,9}$/.test(value)) result.offsetMs = Number(value) || 0
      }
    }
  }
  if (timed.length > 0) {
    // Lines without a timestamp in a synced file are stray notes with no place in time.
    result.synced = true
    result.lines = timed.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0))
  } else {
    result.lines = withoutOuterBlankLines(plain)
  }
  return result
}
