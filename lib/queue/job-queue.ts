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

// A job that stands for the current state of one thing (a track): `key` names the thing, `id`
// its state. At most one such job per key waits: publishing a new id for a key replaces the
// waiting one; publishing the same id again changes nothing.
export interface KeyedJob<T> {
  key: string
  id: string
  data: T
  // false: a job already pending for the key, whatever its id, stays and this one is not added
  // (a publisher that may hold an older state than the one pending).
  replace?: boolean
}

export interface PublishLimits {
  // Jobs of the queue not yet finished (waiting, delayed, running) beyond which new keys are not
  // published. A replacement never counts against it: it takes its predecessor's place.
  maxPending: number
  // Publish again an id that failed before (its failed record is dropped first).
  retryFailed?: boolean
}

export interface PublishOutcome {
  // New keys published.
  added: number
  // Waiting (or running) jobs whose key got a newer id.
  replaced: number
  // The same id was already waiting or running.
  unchanged: number
  // New keys not published because the queue held maxPending jobs.
  skipped: number
  skippedKeys: string[]
  // Keys whose job for the published id is now pending (added, replacing, or already there).
  settledKeys: string[]
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
  // Publishes keyed jobs (see KeyedJob) within the limit. Concurrent publishers, in this process
  // or in others sharing the queue, take turns, so the limit holds exactly.
  publishLatest: <T>(queue: QueueName, jobs: Array<KeyedJob<T>>, limits: PublishLimits) => Promise<PublishOutcome>
  // Removes the completed jobs still kept (by versions that kept the last 2,000 of each queue);
  // returns how many went.
  dropCompleted: () => Promise<number>
  // Processes consuming the queue now, wherever they run; null when the backend cannot tell.
  consumers: (queue: QueueName) => Promise<number | null>
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
