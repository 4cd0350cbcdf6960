// The one job interface the scanner uses, whichever backend runs it (in-process or BullMQ).
export type QueueName = 'scan' | 'index' | 'analysis'

// Every queue, for readers that report on all of them (metrics, the admin status).
export const QUEUE_NAMES: readonly QueueName[] = ['scan', 'index', 'analysis']

// Jobs of one queue by state, as its backend sees them: with Redis, every process's jobs.
export interface QueueDepth {
  waiting: number
  active: number
  delayed: number
  // Failed for good and still kept (BullMQ keeps the last 2,000; in-process, since start-up).
  failed: number
}

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
  // Jobs are kept outside this process (Redis): they outlast it, and other processes may take
  // them. When false, a job exists only in this process's memory and dies with it.
  readonly durable: boolean
  // Throws a DependencyDownError when the queue's backing service cannot take a job right now,
  // so a caller can refuse before writing anything of its own.
  assertReachable: () => Promise<void>
  add: <T>(queue: QueueName, data: T, opts?: AddOptions) => Promise<string>
  addBulk: <T>(queue: QueueName, items: T[]) => Promise<string[]>
  // Starts consuming a queue in this process.
  process: <T>(queue: QueueName, handler: JobHandler<T>, opts?: { concurrency?: number }) => void
  // Resolves once every listed job has finished; counts the ones that failed for good.
  waitUntilDone: (queue: QueueName, ids: string[], signal?: AbortSignal) => Promise<{ failed: number }>
  // Whether a job is still known to the queue (waiting, running or retrying).
  isPending: (queue: QueueName, id: string) => Promise<boolean>
  depth: (queue: QueueName) => Promise<QueueDepth>
  // Failed runs of this queue's jobs in this process since it started, retried ones included.
  failures: (queue: QueueName) => number
  close: () => Promise<void>
}

// The concrete queues also let tests look at what is waiting. Kept off JobQueue so that no
// production caller comes to depend on reading a queue's backlog.
export interface InspectableQueue extends JobQueue {
  // Data of the jobs waiting to be taken, oldest first.
  waiting: <T = unknown>(queue: QueueName, limit?: number) => Promise<T[]>
}
