// Reads one file's tags. The expensive full-file duration pass runs only for the files whose
// headers carry no duration (e.g. VBR MP3 without a Xing frame).
import { parseFromTokenizer, selectCover, type IAudioMetadata } from 'music-metadata'
import { isMainThread } from 'node:worker_threads'
import { CachedFileTokenizer } from './cached-file-tokenizer.js'
import { contentKeyFrom } from './content-key.js'
import { VIDEO_CAPABLE } from './audio-files.js'
import { extensionOf } from '../paths.js'
import { hasAudioStream, isLength, normaliseTags, type TrackTags } from './tags.js'
import { exceedsLimit } from './scan-options.js'
import { PROBED_TAG_TYPES, probeCovers, type CoverProbe } from './cover-probe.js'

export type ParseOutcome =
  | { kind: 'track', tags: TrackTags, contentKey: string | null }
  | { kind: 'skipped', reason: string }
  // transient: an I/O error (permissions, a failing disk) that may go away with the file
  // untouched, so it is not remembered as a property of the file.
  | { kind: 'failed', reason: string, transient: boolean }

interface Parsed {
  metadata: IAudioMetadata
  contentKey: string
  // Set when the covers were found by lib/scan/cover-probe.ts rather than decoded.
  covers?: CoverProbe
}

// With covers: the pictures are found by the probe where it can, else decoded by the parser.
async function parseFile (absPath: string, extension: string, options: { duration: boolean, covers: boolean }): Promise<Parsed> {
  const tokenizer = await CachedFileTokenizer.open(absPath, !isMainThread)
  try {
    const covers = options.covers ? await probeCovers(tokenizer, extension) : null
    if (covers !== null) tokenizer.leaveUnread(covers.pictureBytes)
    const metadata = await parseFromTokenizer(tokenizer, { duration: options.duration, skipCovers: covers !== null || !options.covers })
    const parsed: Parsed = { metadata, contentKey: contentKeyFrom(tokenizer) }
    if (covers === null) return parsed
    // A tag the probe did not read may hold pictures of its own: decode them after all.
    if (metadata.format.tagTypes.some((t) => PROBED_TAG_TYPES[extension]?.has(t) !== true)) return await parseFile(absPath, '', options)
    return { ...parsed, covers }
  } finally {
    await tokenizer.close()
  }
}

// The cover service extracts the picture music-metadata's selectCover picks (the first); when that
// one is over the limit the file counts as having no cover, so its album falls back to another
// track's picture or a folder image and the large picture is never extracted.
function hasCoverWithin (parsed: Parsed, limit: number): boolean {
  if (parsed.covers !== undefined) return parsed.covers.pictures.length > 0 && !exceedsLimit(parsed.covers.pictures[0], limit)
  const picture = selectCover(parsed.metadata.common.picture)
  return picture !== null && !exceedsLimit(picture.data.length, limit)
}

function coversOf (metadata: IAudioMetadata): CoverProbe {
  const first = selectCover(metadata.common.picture)
  return { pictures: first === null ? [] : [first.data.length], pictureBytes: [] }
}

export async function parseAudio (absPath: string, relPath: string, coverArtSizeLimit = 0): Promise<ParseOutcome> {
  const extension = extensionOf(relPath)
  try {
    let parsed = await parseFile(absPath, extension, { covers: true, duration: false })
    if (!hasAudioStream(parsed.metadata)) {
      return VIDEO_CAPABLE.has(extension)
        ? { kind: 'skipped', reason: 'skipped: no audio stream (video only)' }
        : { kind: 'failed', reason: 'no audio stream found', transient: false }
    }
    // Missing, or nonsense from a truncated file (Ogg reports 0 or even a negative length).
    if (!isLength(parsed.metadata.format.duration)) {
      // The covers are known from the first pass.
      parsed = { ...await parseFile(absPath, extension, { covers: false, duration: true }), covers: parsed.covers ?? coversOf(parsed.metadata) }
    }
    const tags = normaliseTags(parsed.metadata, relPath)
    if (parsed.covers !== undefined) tags.hasCover = parsed.covers.pictures.length > 0
    if (tags.hasCover && coverArtSizeLimit > 0) tags.hasCover = hasCoverWithin(parsed, coverArtSizeLimit)
    return { kind: 'track', tags, contentKey: parsed.contentKey }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    // Node's system errors name the call that failed; the parser's own errors are about content.
    const transient = typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string'
    return { kind: 'failed', reason: message.slice(0, 500) || 'unreadable file', transient }
  }
}
