// When tag parsing runs on worker threads, and when it does not. Threads start with the first
// batch, so a process that never indexes pays nothing; each is a V8 isolate of its own (tens of
// MB), so they are let go once indexing pauses and a server between scans holds only what serving
// needs; and threads that cannot start must not stop indexing, so parsing falls back to the main
// thread for good. A thread that dies on a batch (a file whose tags fill its heap) is no such
// failure: the pool replaces it, the batch is parsed again one file at a time on the threads, and
// only the file that kills a thread fails. Such a file is never parsed on the main thread, whose
// heap and event loop it would take down with it.
import { availableParallelism } from 'node:os'
import { parseInProcess, type JobDeps } from './jobs.js'
import { createParsePool, type ParsePool } from './parse-pool.js'
import type { ParseOutcome } from './parse.js'
import { mapInLanes } from '../lanes.js'

type BatchParser = JobDeps['parse']

export interface ParseThreadsOptions {
  log: Pick<JobDeps['log'], 'warn'>
  // Threads in the pool; below 2 a pool would only add copying, so parsing stays on this thread.
  threads?: number
  // How long the threads outlive the last batch.
  idleMs?: number
  startPool?: (threads: number) => ParsePool
  mainThread?: BatchParser
}

export interface ParseThreads {
  parse: BatchParser
  // Whether threads are up right now.
  isRunning: () => boolean
  // Threads up now, and the seconds all threads so far have spent parsing: its rate over the
  // thread count is their utilisation (the metrics' parse_thread_busy_seconds_total).
  usage: () => ParseUsage
  close: () => Promise<void>
}

export interface ParseUsage { threads: number, busySeconds: number }

const IDLE_MS = 1000
// Files parsed at once on the main thread: enough to overlap their reads.
const MAIN_THREAD_CONCURRENCY = 4

// Thrown by a worker thread that hit its resourceLimits.
const OUT_OF_MEMORY = 'ERR_WORKER_OUT_OF_MEMORY'

function isOutOfMemory (err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === OUT_OF_MEMORY
}

// The outcome of a file that took its thread down: a property of the file, so not transient.
function threadFailure (err: unknown): ParseOutcome {
  const message = err instanceof Error ? err.message : String(err)
  const reason = isOutOfMemory(err) ? 'parse thread ran out of memory reading its tags' : (message.slice(0, 500) || 'parse thread failed')
  return { kind: 'failed', reason, transient: false }
}

export function createParseThreads (opts: ParseThreadsOptions): ParseThreads {
  const threads = opts.threads ?? availableParallelism()
  const idleMs = opts.idleMs ?? IDLE_MS
  const startPool = opts.startPool ?? createParsePool
  const mainThread = opts.mainThread ?? parseInProcess(MAIN_THREAD_CONCURRENCY)
  let pool: ParsePool | null = null
  let broken = threads < 2
  // Whether threads have ever parsed a batch: until then a failure may mean they cannot start.
  let started = false
  let parsing = 0
  let idleTimer: NodeJS.Timeout | undefined
  // Busy time of pools already let go, so the total never goes back.
  let closedBusySeconds = 0
  let busySeconds = 0
  const retire = async (closing: ParsePool): Promise<void> => {
    closedBusySeconds += closing.busySeconds()
    await closing.close()
  }

  const releaseWhenIdle = (): void => {
    clearTimeout(idleTimer)
    idleTimer = setTimeout(() => {
      if (parsing > 0 || pool === null) return
      const idle = pool
      pool = null
      void retire(idle)
    }, idleMs)
    idleTimer.unref()
  }

  return {
    parse: async (root, files, options) => {
      if (broken) return mainThread(root, files, options)
      clearTimeout(idleTimer)
      const used = pool ??= startPool(threads)
      parsing++
      try {
        const outcomes = await used.parse(root, files, options)
        started = true
        return outcomes
      } catch (err) {
        // Closed under the batch (shutting down): nothing to say about its files.
        if (pool !== used) throw err
        if (!started && !isOutOfMemory(err)) {
          opts.log.warn({ err }, 'parse threads failed; parsing on the main thread from now on')
          broken = true
          return mainThread(root, files, options)
        }
        started = true
        opts.log.warn({ err }, 'a parse thread died on a batch; parsing its files one at a time')
        const lanes = Math.max(1, Math.min(options.threads ?? used.size, used.size))
        return await mapInLanes(files, lanes, async (file) => {
          try {
            const [outcome] = await used.parse(root, [file], options)
            return outcome
          } catch (fileErr) {
            if (pool !== used) throw fileErr
            opts.log.warn({ err: fileErr, file: file.path }, 'a file took its parse thread down')
            return threadFailure(fileErr)
          }
        })
      } finally {
        parsing--
        if (parsing === 0) releaseWhenIdle()
      }
    },
    isRunning: () => pool !== null,
    usage: () => {
      // A thread's active time is read from a clock it updates itself, so two readings can
      // step back by microseconds: a counter must not.
      busySeconds = Math.max(busySeconds, closedBusySeconds + (pool?.busySeconds() ?? 0))
      return { threads: pool?.size ?? 0, busySeconds }
    },
    close: async () => {
      clearTimeout(idleTimer)
      const open = pool
      pool = null
      if (open !== null) await retire(open)
    }
  }
}
