// The play queue a user saves from one device to resume on another (savePlayQueue,
// getPlayQueue), kept by the library per user.
import type { LibraryView } from '../library/library-service.js'
import type { PlayQueue, SavedQueue } from '../library/play-queue-repository.js'
import { notFound } from './errors.js'
import { tracksOrNotFound } from './known-items.js'
import type { Params } from './params.js'
import type { SubsonicNode } from './response.js'
import { songs } from './with-state.js'

// Milliseconds: far past any track, within what the queue's bigint and JSON numbers hold.
const MAX_POSITION_MS = Number.MAX_SAFE_INTEGER

// No `id` at all clears the queue (OpenSubsonic). `current` is one of the queue's songs.
export async function queueToSave (library: LibraryView, params: Params): Promise<SavedQueue> {
  const tracks = await tracksOrNotFound(library, params.all('id'))
  const current = params.string('current')?.toLowerCase()
  const currentId = current === undefined || current === '' ? null : current
  if (currentId !== null && !tracks.some((t) => t.id === currentId)) throw notFound(`Song ${current as string} in the queue`)
  return {
    trackIds: tracks.map((t) => t.id),
    currentId,
    positionMs: params.int('position', { min: 0, max: MAX_POSITION_MS }, 0),
    changedBy: params.string('c') ?? ''
  }
}

// Songs gone from the library since are left out, and so is a current song that is gone.
export async function playQueueNode (library: LibraryView, queue: PlayQueue, username: string): Promise<SubsonicNode> {
  const tracks = await library.tracks.byIds(queue.trackIds)
  const current = tracks.find((t) => t.id === queue.currentId)?.id
  return {
    current,
    position: queue.positionMs,
    username,
    changed: queue.changedAt.toISOString(),
    changedBy: queue.changedBy,
    entry: await songs(library, tracks)
  }
}
