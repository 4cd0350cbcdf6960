// Phase 3 of a scan: with every batch indexed, the library is brought in line with what the walk
// saw: tracks whose files are gone go (except under folders that must be kept), empty albums and
// artists with them; album years and covers, playlists and content keys are brought up to date.
import type { Pool } from 'pg'
import type { WalkResult } from './walk.js'
import { playlistFilesInView, type ScopePlan } from './scan-scope.js'
import { keptFolders } from './kept-folders.js'
import { reportWarnings } from './scan-warnings.js'
import { pruneEmpty, refreshAlbums, removeMissing } from './track-repository.js'
import { forgetMissing } from './unindexed-files.js'
import { importPlaylistFiles } from '../playlists/m3u-import.js'
import { fillMissingContentKeys } from './content-key.js'

export interface TidyInput {
  // A pool, not a client: the playlist import runs transactions of its own.
  pool: Pool
  scanId: string
  root: string
  mediaPath: string
  walk: WalkResult
  seen: string[]
  scope: ScopePlan | undefined
  signal: AbortSignal
}

export interface Tidied {
  // Tracks removed because their files are gone.
  removed: number
}

export async function tidyLibrary (input: TidyInput): Promise<Tidied> {
  const { pool, scanId, root, walk, seen, scope } = input
  const kept = await keptFolders(pool, walk)
  await reportWarnings(pool, scanId, kept.warnings)
  const removed = await removeMissing(pool, seen, kept.folders, scope?.remove)
  await forgetMissing(pool, seen, scope?.remove)
  await pruneEmpty(pool)
  await refreshAlbums(pool, walk.folderCovers, scope?.walk)
  const playlists = await playlistFilesInView(pool, walk.playlists ?? [], scope)
  await importPlaylistFiles({ pool, root, mediaPath: input.mediaPath, scanId, files: playlists })
  await fillMissingContentKeys(pool, root, input.signal)
  return { removed }
}
