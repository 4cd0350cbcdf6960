// In-process job runner with the JobQueue interface: jobs run in this process, in order, with a
// per-queue concurrency. Nothing survives a restart (a scan interrupted that way is marked failed).
import { randomUUID } from 'node:crypto'
import type { AddOptions, InspectableQueue, JobHandler, KeyedJob, PublishLimits, PublishOutcome, QueueName } from './job-queue.js'

interface MemoryJob {
  id: string
  // KeyedJob's key, for jobs published with publishLatest.
  key?: string
  data: unknown
  state: 'waiting' | 'running' | 'done' | 'failed'
  done: Promise<boolean>
  settle: (ok: boolean) => void
}

interface Lane {
  handler: JobHandler | null
  concurrency: number
  running: number
  // Jobs that failed since start-up (a job runs once here: each failure is for good).
  failures: number
  pending: MemoryJob[]
  jobs: Map<string, MemoryJob>
  // The latest job of each key (publishLatest), until it finishes.
  latest: Map<string, MemoryJob>
}

export interface MemoryQueueOptions {
  onError?: (queue: QueueName, jobId: string, err: unknown) => void
  // Jobs kept for waitUntilDone/dedupe once finished.
  keepFinished?: number
}

export function createMemoryQueue (opts: MemoryQueueOptions = {}): InspectableQueue {
  const lanes = new Map<QueueName, Lane>()
  const keep = opts.keepFinished ?? 10_000
  let closed = false

  const lane = (name: QueueName): Lane => {
    let l = lanes.get(name)
    if (l === undefined) {
      l = { handler: null, concurrency: 1, running: 0, failures: 0, pending: [], jobs: new Map(), latest: new Map() }
      lanes.set(name, l)
    }
    return l
  }

  const pump = (name: QueueName): void => {
    const l = lane(name)
    // `closed` is set by close(), which can run between two pumps.
    // eslint-disable-next-line no-unmodified-loop-condition
    while (!closed && l.handler !== null && l.running < l.concurrency && l.pending.length > 0) {
      const job = l.pending.shift() as MemoryJob
      const handler = l.handler
      job.state = 'running'
      l.running++
      setImmediate(() => {
        handler(job.data, { id: job.id, attempt: 1 }).then(() => job.settle(true), (err: unknown) => {
          l.failures++
          opts.onError?.(name, job.id, err)
          job.settle(false)
        }).finally(() => {
          l.running--
          // Forget the oldest finished jobs so a long-running process does not grow without end.
          if (l.jobs.size > keep) {
            for (const [id, kept] of l.jobs) {
              if (kept.state !== 'done' && kept.state !== 'failed') continue
              l.jobs.delete(id)
              if (l.jobs.size <= keep) break
            }
          }
          pump(name)
        })
      })
    }
  }

  const enqueue = (l: Lane, id: string, data: unknown, key?: string): MemoryJob => {
    let resolveDone!: (ok: boolean) => void
    const done = new Promise<boolean>((resolve) => { resolveDone = resolve })
    const job: MemoryJob = {
      id,
      key,
      data,
      state: 'waiting',
      done,
      settle: (ok) => {
        job.state = ok ? 'done' : 'failed'
        if (key !== undefined && l.latest.get(key) === job) l.latest.delete(key)
        resolveDone(ok)
      }
    }
    l.jobs.set(id, job)
    if (key !== undefined) l.latest.set(key, job)
    l.pending.push(job)
    return job
  }

  const add = async <T>(name: QueueName, data: T, addOpts: AddOptions = {}): Promise<string> => {
    if (closed) throw new Error('job queue is closed')
    const l = lane(name)
    const id = addOpts.jobId ?? randomUUID()
    if (l.jobs.has(id)) return id
    enqueue(l, id, data)
    pump(name)
    return id
  }

  const publishLatest = async <T>(name: QueueName, jobs: Array<KeyedJob<T>>, limits: PublishLimits): Promise<PublishOutcome> => {
    if (closed) throw new Error('job queue is closed')
    const l = lane(name)
    const outcome: PublishOutcome = { added: 0, replaced: 0, unchanged: 0, skipped: 0, skippedKeys: [], settledKeys: [] }
    for (const { key, id, data, replace } of jobs) {
      const current = l.latest.get(key)
      if (current?.id === id) {
        outcome.unchanged++
        outcome.settledKeys.push(key)
        continue
      }
      if (current !== undefined && replace === false) {
        outcome.unchanged++
        continue
      }
      const known = l.jobs.get(id)
      // The same state failed before: like BullMQ's kept failed job, it blocks a new one unless asked.
      if (known?.state === 'failed' && limits.retryFailed !== true) {
        outcome.unchanged++
        continue
      }
      if (current === undefined && l.pending.length + l.running >= limits.maxPending) {
        outcome.skipped++
        outcome.skippedKeys.push(key)
        continue
      }
      if (current?.state === 'waiting') {
        l.pending.splice(l.pending.indexOf(current), 1)
        l.jobs.delete(current.id)
        current.settle(true)
      }
      // A running predecessor finishes on the state it started with; this one follows it.
      if (current === undefined) outcome.added++
      else outcome.replaced++
      outcome.settledKeys.push(key)
      if (known !== undefined) l.jobs.delete(id)
      enqueue(l, id, data, key)
    }
    pump(name)
    return outcome
  }

  return {
    durable: false,
    // Nothing outside this process to reach.
    assertReachable: async () => {},
    add,
    addBulk: async (name, items) => Promise.all(items.map((item) => add(name, item))),
    publishLatest,
    // Finished jobs are forgotten as they go (keepFinished); none outlive the process.
    dropCompleted: async () => 0,
    consumers: async (name) => lane(name).handler === null ? 0 : 1,
    process: (name, handler, processOpts = {}) => {
      const l = lane(name)
      l.handler = handler as JobHandler
      l.concurrency = Math.max(1, processOpts.concurrency ?? 1)
      pump(name)
    },
    waitUntilDone: async (name, ids, signal) => {
      const l = lane(name)
      let failed = 0
      for (const id of ids) {
        const job = l.jobs.get(id)
        if (job === undefined) continue
        signal?.throwIfAborted()
        if (!(await job.done)) failed++
      }
      return { failed }
    },
    isPending: async (name, id) => {
      const state = lane(name).jobs.get(id)?.state
      return state === 'waiting' || state === 'running'
    },
    depth: async (name) => {
      const l = lane(name)
      return { waiting: l.pending.length, active: l.running, delayed: 0, failed: l.failures }
    },
    failures: (name) => lane(name).failures,
    waiting: async <T>(name: QueueName, limit = 1000) => lane(name).pending.slice(0, limit).map((j) => j.data as T),
    close: async () => {
      closed = true
      const running = [...lanes.values()].flatMap((l) => [...l.jobs.values()].filter((j) => !l.pending.includes(j)))
      for (const l of lanes.values()) {
        for (const j of l.pending) j.settle(false)
        l.pending = []
      }
      await Promise.all(running.map((j) => j.done))
    }
  }
}
