// Phase 4 of a scan: its outcome is written and announced. A scan ends in one of three ways:
// finished (completed, or failed when index batches failed), refused before anything was removed
// (aborted), or stopped by an error (failed).
import { setTimeout as sleep } from 'node:timers/promises'
import type { Queryable } from '../db/queryable.js'
import { isDependencyDown } from '../dependency-errors.js'
import type { ScanEventBus } from './scan-events.js'
import { finishScan, toScan, type ScanRow } from './scan-repository.js'
import { libraryCounts } from '../library/stats-repository.js'
import { freshSearchWords } from '../library/search-words.js'

export interface FinishLog {
  info: (obj: object, msg?: string) => void
  warn: (obj: object, msg?: string) => void
  error: (obj: object, msg?: string) => void
}

export interface FinishInput {
  db: Queryable
  events: ScanEventBus
  log: FinishLog
  scanId: string
  failedBatches: number
  removed: number
  // How long each phase took, for the log.
  timings: Record<string, number>
}

// Resolves to the finished row; null when the scan was deleted meanwhile (nothing to announce).
export async function finishRun (input: FinishInput): Promise<ScanRow | null> {
  const { db, events, scanId, failedBatches } = input
  const error = failedBatches > 0 ? `${failedBatches} index batch(es) failed; their files were not indexed` : null
  // The search words follow what the scan changed before it says it is done, rather than at
  // the first search after it. They are derived from the rows: a refresh that fails (the
  // database busy or briefly gone) leaves them to the next search, and the scan's outcome is
  // the scan's.
  await freshSearchWords(db).catch((err: unknown) => { input.log.warn({ err, scanId }, 'search words not refreshed; the next search will') })
  const finished = await finishScan(db, scanId, error === null ? 'completed' : 'failed', error, input.removed)
  if (finished === null) return null
  const stats = await libraryCounts(db)
  input.log.info({ scanId, ...toScan(finished), stats, timings: input.timings }, 'scan finished')
  if (error === null) await events.publish({ type: 'scan:complete', scan: toScan(finished), stats })
  else await events.publish({ type: 'scan:error', scan: toScan(finished), message: error })
  return finished
}

export interface EndInput {
  db: Queryable
  events: ScanEventBus
  log: FinishLog
  scanId: string
  signal: AbortSignal
}

// The media root was missing or looked unmounted: nothing was touched.
export async function abortScan (input: EndInput, message: string): Promise<ScanRow | null> {
  input.log.warn({ scanId: input.scanId }, message)
  const finished = await finishScan(input.db, input.scanId, 'aborted', message)
  await input.events.publish({ type: 'scan:error', scan: finished === null ? null : toScan(finished), message })
  return finished
}

export async function failScan (input: EndInput, err: unknown): Promise<ScanRow | null> {
  input.log.error({ err, scanId: input.scanId }, 'scan failed')
  const message = `scan failed: ${err instanceof Error ? err.message : String(err)}`
  const finished = await finishOnceDatabaseAnswers(input, message)
  await input.events.publish({ type: 'scan:error', scan: finished === null ? null : toScan(finished), message }).catch(() => {})
  return finished
}

// The database going away is the likeliest reason a scan fails, and then recording the failure
// fails too: left 'running', the scan would block every later one. Keep trying until it answers
// (or this process shuts down, which leaves the scan to the next worker or start-up).
async function finishOnceDatabaseAnswers (input: EndInput, message: string): Promise<ScanRow | null> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await finishScan(input.db, input.scanId, 'failed', message)
    } catch (err) {
      if (!isDependencyDown(err)) throw err
      if (attempt === 0) input.log.warn({ scanId: input.scanId }, 'database unavailable; the scan will be marked failed once it is back')
      // Unref'd: a pending retry must never keep a process alive that is otherwise done.
      await sleep(Math.min(250 * 2 ** attempt, 5000), undefined, { signal: input.signal, ref: false })
    }
  }
}
