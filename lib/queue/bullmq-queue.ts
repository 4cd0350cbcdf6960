// JobQueue over BullMQ: any number of processes sharing one Redis take jobs from the same queues;
// a job whose worker dies is found stalled once its lock lapses and is run again elsewhere.
import { randomUUID } from 'node:crypto'
import { Queue, Worker, type ConnectionOptions, type DefaultJobOptions } from 'bullmq'
import { Redis, type RedisOptions } from 'ioredis'
import { DependencyDownError, withTimeout } from '../dependency-errors.js'
import { QUEUE_NAMES, type InspectableQueue, type JobHandler, type KeyedJob, type PublishLimits, type PublishOutcome, type QueueDepth, type QueueName } from './job-queue.js'

export interface BullQueueOptions {
  host: string
  port: number
  prefix: string
  // How long a job's lock lives without renewal; a dead worker's job is retaken after about this.
  lockMs: number
  onError?: (where: string, err: unknown) => void
}

const POLL_MS = 200
const DAY_S = 24 * 3600

// A finished job leaves nothing behind: its outcome is already in the database (scans, tracks),
// and every kept job is a Redis hash that a library of 100,000 tracks would multiply. A few
// failures stay for an operator to look at, for a while.
const RETENTION: Record<QueueName, Pick<DefaultJobOptions, 'removeOnComplete' | 'removeOnFail'>> = {
  scan: { removeOnComplete: true, removeOnFail: { count: 100, age: 7 * DAY_S } },
  // Failed batches are counted by their scan while it waits for them (phase-index.ts).
  index: { removeOnComplete: true, removeOnFail: { count: 1000, age: DAY_S } },
  analysis: { removeOnComplete: true, removeOnFail: { count: 100, age: 7 * DAY_S } }
}

// Publishers of one queue take turns through this key, so that counting the pending jobs and
// adding new ones is one step for every process sharing the Redis. It outlives a publisher that
// died holding it by this long at most.
const TURN_MS = 10_000
const TURN_WAIT_MS = 30_000
const RELEASE_TURN = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
const RENEW_TURN = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0"
// A healthy Redis answers a PING in well under a millisecond; a request waits no longer than this.
const PING_TIMEOUT_MS = 1000

async function settleWithin (promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  await Promise.race([
    promise.catch(() => {}),
    new Promise<void>((resolve) => { timer = setTimeout(resolve, ms) })
  ])
  clearTimeout(timer)
}

function connectAttemptEnded (client: Redis): Promise<void> {
  return new Promise((resolve) => {
    const ended = (): void => {
      client.off('ready', ended)
      client.off('close', ended)
      resolve()
    }
    client.once('ready', ended)
    client.once('close', ended)
  })
}

export function createBullQueue (opts: BullQueueOptions): InspectableQueue {
  const connections: Redis[] = []
  // BullMQ duplicates connections we never see (a worker's blocking one); they share this
  // strategy, so once closing none of them keeps reconnecting to a dead Redis and holds the
  // process open.
  let closing = false
  const connect = (extra: RedisOptions): Redis => {
    const client = new Redis({
      host: opts.host,
      port: opts.port,
      retryStrategy: (times) => closing ? null : Math.min(times * 200, 2000),
      ...extra
    })
    client.on('error', (err) => opts.onError?.('redis', err))
    connections.push(client)
    return client
  }
  // Producers fail fast while Redis is down (the API answers 503); workers wait for it.
  const producer = connect({ maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false })
  const queues = new Map<QueueName, Queue>()
  const workers: Worker[] = []
  // Failed attempts seen by this process's workers, retried ones included.
  const failures = new Map<QueueName, number>()

  const queue = (name: QueueName): Queue => {
    let q = queues.get(name)
    if (q === undefined) {
      q = new Queue(name, {
        connection: producer as unknown as ConnectionOptions,
        prefix: opts.prefix,
        defaultJobOptions: { attempts: 3, backoff: { type: 'exponential', delay: 1000 }, ...RETENTION[name] }
      })
      q.on('error', (err) => opts.onError?.(`queue ${name}`, err))
      queues.set(name, q)
    }
    return q
  }

  // A Redis that fails mid-way is a dependency down (503 for a request), whatever the command.
  const asDependencyError = async <R>(work: Promise<R>): Promise<R> => {
    try {
      return await work
    } catch (err) {
      if (err instanceof DependencyDownError) throw err
      throw new DependencyDownError('redis', `redis failed: ${err instanceof Error ? err.message : String(err)}`)
    }
  }

  const untilConnected = async (): Promise<void> => {
    if (producer.status === 'connecting' || producer.status === 'connect') await connectAttemptEnded(producer)
  }

  // One publisher at a time per queue in this process, and one at a time across processes.
  const turns = new Map<QueueName, Promise<unknown>>()
  const inTurn = async <R>(name: QueueName, fn: (renew: () => Promise<void>) => Promise<R>): Promise<R> => {
    const run = (turns.get(name) ?? Promise.resolve()).catch(() => {}).then(async () => {
      const key = `${opts.prefix}:publish-turn:${name}`
      const token = randomUUID()
      const giveUpAt = Date.now() + TURN_WAIT_MS
      while (await producer.set(key, token, 'PX', TURN_MS, 'NX') !== 'OK') {
        if (Date.now() > giveUpAt) throw new DependencyDownError('redis', `another process has been publishing ${name} jobs for over ${TURN_WAIT_MS / 1000} s`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      // Before writing: a publisher held up past its lease (a stalled process, a slow link)
      // has lost the turn to another, and its count of pending jobs is stale.
      const renew = async (): Promise<void> => {
        if (await producer.eval(RENEW_TURN, 1, key, token, TURN_MS) !== 1) {
          throw new DependencyDownError('redis', `the turn to publish ${name} jobs lapsed before they were written`)
        }
      }
      try {
        return await fn(renew)
      } finally {
        await producer.eval(RELEASE_TURN, 1, key, token).catch(() => {})
      }
    })
    turns.set(name, run)
    return await run
  }

  // What stands for each key now: the job named by BullMQ's deduplication key (until it
  // finishes), the successor kept aside while that job runs, and whether a job with the new id
  // is still kept without standing for its key. Completed jobs are removed at once, so such a
  // job is one that failed for good (kept for a while, and blocking its id). Plain key reads:
  // BullMQ's getJobState searches the waiting list, whose length is the queue's backlog.
  const standing = async (name: QueueName, job: KeyedJob<unknown>): Promise<{ current: string | null, next: string | null, failed: boolean }> => {
    const base = `${opts.prefix}:${name}:`
    const current = await producer.get(`${base}de:${job.key}`)
    const [next, kept] = await Promise.all([
      current === null || current === job.id ? null : producer.hget(`${base}dn:${job.key}`, 'jid'),
      current === null ? producer.exists(`${base}${job.id}`) : 0
    ])
    return { current, next, failed: kept === 1 }
  }

  const publishLatest = async <T>(name: QueueName, jobs: Array<KeyedJob<T>>, limits: PublishLimits): Promise<PublishOutcome> => {
    const q = queue(name)
    // The turn is taken with a plain command, which, unlike BullMQ's, does not wait for the
    // connection (no offline queue).
    await untilConnected()
    return await asDependencyError(inTurn(name, async (renew) => {
      const outcome: PublishOutcome = { added: 0, replaced: 0, unchanged: 0, skipped: 0, skippedKeys: [], settledKeys: [] }
      if (jobs.length === 0) return outcome
      const [states, counts] = await Promise.all([
        Promise.all(jobs.map(async (job) => await standing(name, job))),
        q.getJobCounts('waiting', 'prioritized', 'delayed', 'active')
      ])
      let pending = Object.values(counts).reduce((sum, n) => sum + n, 0)
      const removals: string[] = []
      const publish: Array<KeyedJob<T>> = []
      jobs.forEach((job, i) => {
        const { current, next, failed } = states[i]
        if (current === job.id || next === job.id) {
          outcome.unchanged++
          outcome.settledKeys.push(job.key)
        } else if (current !== null && job.replace === false) {
          outcome.unchanged++
        } else if (current !== null) {
          // A waiting predecessor is removed (its deduplication key with it); a running one
          // cannot be, and BullMQ keeps the new job aside until it ends (keepLastIfActive).
          removals.push(current)
          publish.push(job)
          outcome.replaced++
          outcome.settledKeys.push(job.key)
        } else if (failed && limits.retryFailed !== true) {
          outcome.unchanged++
        } else if (pending >= limits.maxPending) {
          outcome.skipped++
          outcome.skippedKeys.push(job.key)
        } else {
          // A kept record of the same id would make BullMQ ignore the new job.
          if (failed) removals.push(job.id)
          pending++
          publish.push(job)
          outcome.added++
          outcome.settledKeys.push(job.key)
        }
      })
      await renew()
      await Promise.all(removals.map(async (id) => await q.remove(id)))
      await q.addBulk(publish.map((job) => ({
        name,
        data: job.data,
        opts: { jobId: job.id, deduplication: { id: job.key, keepLastIfActive: true } }
      })))
      return outcome
    }))
  }

  return {
    durable: true,
    assertReachable: async () => {
      try {
        await withTimeout((async () => {
          // Just after start-up the first connection may still be on its way: BullMQ's own
          // commands wait for it, so a PING must too, or the first request would be refused.
          await untilConnected()
          await producer.ping()
        })(), PING_TIMEOUT_MS, 'redis')
      } catch (err) {
        if (err instanceof DependencyDownError) throw err
        throw new DependencyDownError('redis', `redis is not reachable: ${err instanceof Error ? err.message : String(err)}`)
      }
    },
    add: async (name, data, addOpts = {}) => {
      const job = await queue(name).add(name, data, addOpts.jobId === undefined ? {} : { jobId: addOpts.jobId })
      return job.id as string
    },
    addBulk: async (name, items) => {
      if (items.length === 0) return []
      const jobs = await queue(name).addBulk(items.map((data) => ({ name, data })))
      return jobs.map((j) => j.id as string)
    },
    publishLatest,
    dropCompleted: async () => {
      let dropped = 0
      for (const name of QUEUE_NAMES) {
        for (;;) {
          const batch = await withTimeout(queue(name).clean(0, 1000, 'completed'), 5 * PING_TIMEOUT_MS, 'redis')
          dropped += batch.length
          if (batch.length < 1000) break
        }
      }
      return dropped
    },
    consumers: async (name) => {
      try {
        // BullMQ finds workers by their connections' names (CLIENT LIST), whatever their language.
        return await withTimeout(queue(name).getWorkersCount(), PING_TIMEOUT_MS, 'redis')
      } catch {
        // A Redis that refuses CLIENT LIST (ACLs) cannot tell.
        return null
      }
    },
    process: <T>(name: QueueName, handler: JobHandler<T>, processOpts: { concurrency?: number } = {}) => {
      const worker = new Worker(name, async (job) => {
        await handler(job.data as T, { id: job.id as string, attempt: job.attemptsMade + 1 })
      }, {
        connection: connect({ maxRetriesPerRequest: null }) as unknown as ConnectionOptions,
        prefix: opts.prefix,
        concurrency: processOpts.concurrency ?? 1,
        lockDuration: opts.lockMs,
        stalledInterval: Math.max(1000, Math.floor(opts.lockMs / 2)),
        // A job may outlive several dead workers before it is given up on.
        maxStalledCount: 5
      })
      worker.on('error', (err) => opts.onError?.(`worker ${name}`, err))
      worker.on('failed', (job, err) => {
        failures.set(name, (failures.get(name) ?? 0) + 1)
        opts.onError?.(`job ${name}:${job?.id ?? '?'}`, err)
      })
      workers.push(worker)
    },
    waitUntilDone: async (name, ids, signal) => {
      const q = queue(name)
      const pending = new Set(ids)
      let failed = 0
      while (pending.size > 0) {
        signal?.throwIfAborted()
        for (const id of [...pending]) {
          const state = await q.getJobState(id)
          // 'unknown': completed and already removed by the retention policy.
          if (state === 'completed' || state === 'unknown') pending.delete(id)
          else if (state === 'failed') {
            pending.delete(id)
            failed++
          }
        }
        if (pending.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      }
      return { failed }
    },
    isPending: async (name, id) => {
      const state = await queue(name).getJobState(id)
      return state !== 'completed' && state !== 'failed' && state !== 'unknown'
    },
    depth: async (name): Promise<QueueDepth> => {
      // Fails fast (the producer has no offline queue) rather than waiting on a Redis that is down.
      const counts = await withTimeout(queue(name).getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'failed'), PING_TIMEOUT_MS, 'redis')
      return {
        waiting: (counts.waiting ?? 0) + (counts.prioritized ?? 0),
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        failed: counts.failed ?? 0
      }
    },
    failures: (name) => failures.get(name) ?? 0,
    waiting: async <T>(name: QueueName, limit = 1000) => {
      const jobs = await queue(name).getJobs(['waiting', 'prioritized', 'delayed'], 0, limit - 1, true)
      return jobs.map((j) => j.data as T)
    },
    close: async () => {
      // A worker mid-job finishes it if it can; a dead Redis must not hold shutdown hostage.
      closing = true
      const up = producer.status === 'ready'
      await Promise.all(workers.map(async (w) => {
        await settleWithin(w.close(!up), up ? 5000 : 500)
        await settleWithin(w.disconnect(), 500)
      }))
      await Promise.all([...queues.values()].map(async (q) => {
        await settleWithin(q.close(), up ? 1000 : 200)
        await settleWithin(q.disconnect(), 500)
      }))
      for (const c of connections) c.disconnect()
    }
  }
}
