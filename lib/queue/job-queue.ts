// The one job interface the scanner uses, whichever backend runs it (in-process or BullMQ).
export type QueueName = 'scan' | 'index' | 'analysis'
export const QUEUE_NAMES: readonly QueueName[] = ['scan', 'index', 'analysis']

export interface JobInfo {
  id: string
  // 1 on the first run; more when a job is retried (after an error or a dead worker).
  attempt: number
}

export type JobHandler<T = unknown> = (data: T, job: JobInfo) => Promise<void>

export interface AddOptions {
  // A job with the same id as one already known is not added twice.
  jobId?: string
}

export interface JobQueue {
  readonly kind: 'memory' | 'redis'
  add: <T>(queue: QueueName, data: T, opts?: AddOptions) => Promise<string>
  addBulk: <T>(queue: QueueName, items: T[]) => Promise<string[]>
  // Starts consuming a queue in this process.
  process: <T>(queue: QueueName, handler: JobHandler<T>, opts?: { concurrency?: number }) => void
  // Resolves once every listed job has finished; counts the ones that failed for good.
  waitUntilDone: (queue: QueueName, ids: string[], signal?: AbortSignal) => Promise<{ failed: number }>
  // Whether a job is still known to the queue (waiting, running or retrying).
  isPending: (queue: QueueName, id: string) => Promise<boolean>
  // Data of the jobs waiting to be taken (for analysis workers and tests to inspect).
  waiting: <T = unknown>(queue: QueueName, limit?: number) => Promise<T[]>
  close: () => Promise<void>
}
