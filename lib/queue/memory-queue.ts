// In-process job runner with the JobQueue interface: jobs run in this process, in order, with a
// per-queue concurrency. Nothing survives a restart (a scan interrupted that way is marked failed).
import { randomUUID } from 'node:crypto'
import type { AddOptions, InspectableQueue, JobHandler, QueueName } from './job-queue.js'

interface MemoryJob { id: string, data: unknown, done: Promise<boolean>, settle: (ok: boolean) => void }

interface Lane {
  handler: JobHandler | null
  concurrency: number
  running: number
  // Jobs that failed since start-up (a job runs once here: each failure is for good).
  failures: number
  pending: MemoryJob[]
  jobs: Map<string, MemoryJob>
}

export interface MemoryQueueOptions {
  onError?: (queue: QueueName, jobId: string, err: unknown) => void
  // Jobs kept for waitUntilDone/dedupe once finished.
  keepFinished?: number
  // Pending jobs kept for a queue with no handler in this process.
  unconsumedLimit?: number
}

export function createMemoryQueue (opts: MemoryQueueOptions = {}): InspectableQueue {
  const lanes = new Map<QueueName, Lane>()
  const keep = opts.keepFinished ?? 10_000
  const unconsumedLimit = opts.unconsumedLimit ?? 1000
  let closed = false

  const lane = (name: QueueName): Lane => {
    let l = lanes.get(name)
    if (l === undefined) {
      l = { handler: null, concurrency: 1, running: 0, failures: 0, pending: [], jobs: new Map() }
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
            for (const [id] of l.jobs) {
              l.jobs.delete(id)
              if (l.jobs.size <= keep) break
            }
          }
          pump(name)
        })
      })
    }
  }

  const add = async <T>(name: QueueName, data: T, addOpts: AddOptions = {}): Promise<string> => {
    if (closed) throw new Error('job queue is closed')
    const l = lane(name)
    const id = addOpts.jobId ?? randomUUID()
    if (l.jobs.has(id)) return id
    let settle!: (ok: boolean) => void
    const done = new Promise<boolean>((resolve) => { settle = resolve })
    const job: MemoryJob = { id, data, done, settle }
    l.jobs.set(id, job)
    l.pending.push(job)
    // Without Redis no outside worker can take the jobs of a queue nobody here processes
    // (analysis): keep the newest few for inspection instead of every track ever published.
    if (l.handler === null && l.pending.length > unconsumedLimit) {
      for (const dropped of l.pending.splice(0, l.pending.length - unconsumedLimit)) {
        l.jobs.delete(dropped.id)
        dropped.settle(false)
      }
    }
    pump(name)
    return id
  }

  return {
    durable: false,
    // Nothing outside this process to reach.
    assertReachable: async () => {},
    add,
    addBulk: async (name, items) => Promise.all(items.map((item) => add(name, item))),
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
      const job = lane(name).jobs.get(id)
      if (job === undefined) return false
      let settled = false
      await Promise.race([job.done.then(() => { settled = true }), Promise.resolve()])
      return !settled
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
