// Lyrics held in an audio file's tags.
//
// The native tags are read rather than music-metadata's common.lyrics: common.lyrics runs text
// tags through its own LRC reader, which keeps one timestamp per line, drops the ID tags and
// the offset, and leaves only the timestamp-free text beside them.
import { parseFile, LyricsContentType, TimestampFormat, type ITag } from 'music-metadata'
import { parseLrc, type LyricLine } from './lrc.js'
import { structuredFromLrc, type StructuredLyrics } from './structured-lyrics.js'

// Text tags holding lyrics, per tag type, upper-cased (Vorbis and APE keys ignore case).
const TEXT_LYRICS: Record<string, Set<string>> = {
  vorbis: new Set(['LYRICS', 'UNSYNCEDLYRICS']),
  iTunes: new Set(['©LYR']),
  APEv2: new Set(['LYRICS']),
  asf: new Set(['WM/LYRICS'])
}

// ID3 user-defined text frames that hold lyrics: foobar2000 writes LYRICS or UNSYNCEDLYRICS there;
// ffmpeg, which cannot write USLT, writes its "lyrics" key as TXXX:USLT and "lyrics-eng" (its name
// for a USLT frame it read) as TXXX:lyrics-eng.
const ID3_TXXX_LYRICS = /^TXXX:(?:UNSYNCED)?LYRICS(?:-([a-z]{3}))?$|^TXXX:USLT$/i

// Transcriptions and "other" are words too; chords, events and trivia are not lyrics.
const SYNCED_CONTENT = new Set<number>([LyricsContentType.other, LyricsContentType.lyrics, LyricsContentType.text])

interface SyncedFrame {
  language?: string
  contentType?: number
  timeStampFormat?: number
  syncText: Array<{ text: string, timestamp?: number }>
}

function isRecord (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

function fromSyncedFrame (frame: SyncedFrame): StructuredLyrics | null {
  if (frame.contentType !== undefined && !SYNCED_CONTENT.has(frame.contentType)) return null
  // MPEG frame numbers would need the frame duration; the words still read in order.
  const synced = frame.timeStampFormat === TimestampFormat.milliseconds
  const lines: LyricLine[] = frame.syncText.map(({ text, timestamp }) =>
    synced && timestamp !== undefined ? { startMs: timestamp, text: text.trim() } : { text: text.trim() })
  if (synced) lines.sort((a, b) => (a.startMs ?? 0) - (b.startMs ?? 0))
  return structuredFromLrc({ synced, offsetMs: 0, lines }, frame.language)
}

function fromTag (tagType: string, tag: ITag): StructuredLyrics | null {
  const { id, value } = tag
  if (tagType.startsWith('ID3v2')) {
    if ((id === 'USLT' || id === 'ULT') && isRecord(value) && typeof value.text === 'string') {
      return structuredFromLrc(parseLrc(value.text), typeof value.language === 'string' ? value.language : undefined)
    }
    if (id === 'SYLT' && isRecord(value) && Array.isArray(value.syncText)) return fromSyncedFrame(value as unknown as SyncedFrame)
    const txxx = ID3_TXXX_LYRICS.exec(id)
    if (txxx !== null && typeof value === 'string') return structuredFromLrc(parseLrc(value), txxx[1])
    return null
  }
  if (TEXT_LYRICS[tagType]?.has(id.toUpperCase()) === true && typeof value === 'string') {
    return structuredFromLrc(parseLrc(value))
  }
  return null
}

// Node's system errors name the call that failed; they mean the audio file itself could not be
// read, which the caller must hear about. Anything else is about the file's content.
function isSystemError (err: unknown): boolean {
  return typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string'
}

// Throws the system error when the audio file cannot be opened (ENOENT, EACCES, EISDIR); a file
// whose content music-metadata cannot parse has no embedded lyrics.
export async function embeddedLyrics (audioPath: string): Promise<StructuredLyrics[]> {
  let native
  try {
    native = (await parseFile(audioPath, { skipCovers: true, duration: false })).native
  } catch (err) {
    if (isSystemError(err)) throw err
    return []
  }
  const found: StructuredLyrics[] = []
  for (const [tagType, tags] of Object.entries(native)) {
    for (const tag of tags) {
      const lyrics = fromTag(tagType, tag)
      if (lyrics !== null && lyrics.lines.length > 0) found.push(lyrics)
    }
  }
  return found
}
