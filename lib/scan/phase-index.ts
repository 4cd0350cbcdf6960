// Phase 2 of a scan: the walk has queued every batch; the scan now says it is indexing, with
// the final counts of files seen and to index, and waits for the batches (run by
// runIndexJob, in this process or in workers) to finish.
import type { Queryable } from '../db/queryable.js'
import type { JobQueue } from '../queue/job-queue.js'
import { publishProgress, type ScanEventBus } from './scan-events.js'
import { startIndexingPhase } from './scan-repository.js'

export interface IndexInput {
  db: Queryable
  queue: Pick<JobQueue, 'waitUntilDone'>
  events: ScanEventBus
  scanId: string
  filesSeen: number
  total: number
  jobIds: string[]
  signal: AbortSignal
}

export interface Indexed {
  // Batches that failed for good (after the queue's retries): their files were not indexed.
  failedBatches: number
}

export async function waitForIndexing (input: IndexInput): Promise<Indexed> {
  const { db, scanId } = input
  await startIndexingPhase(db, scanId, input.filesSeen, input.total)
  await publishProgress(input.events, db, scanId)
  const { failed } = await input.queue.waitUntilDone('index', input.jobIds, input.signal)
  return { failedBatches: failed }
}
