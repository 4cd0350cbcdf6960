// Reads one file's tags. The expensive full-file duration pass runs only for the files whose
// headers carry no duration (e.g. VBR MP3 without a Xing frame).
import { parseFromTokenizer, selectCover, type IAudioMetadata, type IOptions } from 'music-metadata'
import { isMainThread } from 'node:worker_threads'
import { CachedFileTokenizer } from './cached-file-tokenizer.js'
import { contentKeyFrom } from './content-key.js'
import { VIDEO_CAPABLE } from './audio-files.js'
import { extensionOf } from '../paths.js'
import { hasAudioStream, isLength, normaliseTags, type TrackTags } from './tags.js'
import { exceedsLimit } from './scan-options.js'

export type ParseOutcome =
  | { kind: 'track', tags: TrackTags, contentKey: string | null }
  | { kind: 'skipped', reason: string }
  // transient: an I/O error (permissions, a failing disk) that may go away with the file
  // untouched, so it is not remembered as a property of the file.
  | { kind: 'failed', reason: string, transient: boolean }

async function parseFile (absPath: string, options: IOptions): Promise<{ metadata: IAudioMetadata, contentKey: string }> {
  const tokenizer = await CachedFileTokenizer.open(absPath, !isMainThread)
  try {
    return { metadata: await parseFromTokenizer(tokenizer, options), contentKey: contentKeyFrom(tokenizer) }
  } finally {
    await tokenizer.close()
  }
}

// The cover service extracts the picture music-metadata's selectCover picks; when that one is over
// the limit the file counts as having no cover, so its album falls back to another track's
// picture or a folder image and the large picture is never extracted.
function hasCoverWithin (metadata: IAudioMetadata, limit: number): boolean {
  const picture = selectCover(metadata.common.picture)
  return picture !== null && !exceedsLimit(picture.data.length, limit)
}

export async function parseAudio (absPath: string, relPath: string, coverArtSizeLimit = 0): Promise<ParseOutcome> {
  try {
    let parsed = await parseFile(absPath, { skipCovers: false, duration: false })
    if (!hasAudioStream(parsed.metadata)) {
      return VIDEO_CAPABLE.has(extensionOf(relPath))
        ? { kind: 'skipped', reason: 'skipped: no audio stream (video only)' }
        : { kind: 'failed', reason: 'no audio stream found', transient: false }
    }
    // Missing, or nonsense from a truncated file (Ogg reports 0 or even a negative length).
    if (!isLength(parsed.metadata.format.duration)) {
      parsed = await parseFile(absPath, { skipCovers: false, duration: true })
    }
    const tags = normaliseTags(parsed.metadata, relPath)
    if (tags.hasCover && coverArtSizeLimit > 0) tags.hasCover = hasCoverWithin(parsed.metadata, coverArtSizeLimit)
    return { kind: 'track', tags, contentKey: parsed.contentKey }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    // Node's system errors name the call that failed; the parser's own errors are about content.
    const transient = typeof (err as NodeJS.ErrnoException | undefined)?.syscall === 'string'
    return { kind: 'failed', reason: message.slice(0, 500) || 'unreadable file', transient }
  }
}
