// Spreads tag parsing over worker threads: music-metadata is CPU-bound once files are cached, and
// one thread per core is where a first scan's time goes.
import type { Worker } from 'node:worker_threads'
import { siblingEntry, startThread } from '../source-entry.js'
import type { ParseOutcome } from './parse.js'
import type { FileStamp } from './track-repository.js'
import type { ParseOptions } from './scan-options.js'

interface Pending { worker: Worker, resolve: (outcomes: ParseOutcome[]) => void, reject: (err: Error) => void }

export interface ParsePool {
  parse: (root: string, files: FileStamp[], options?: ParseOptions) => Promise<ParseOutcome[]>
  // Seconds the threads have spent working (event-loop active time), crashed ones included.
  busySeconds: () => number
  readonly size: number
  close: () => Promise<void>
}

const WORKER_URL = siblingEntry(import.meta.url, 'parse-worker')

// Parsing holds little at a time (one file's tags, a cover or two): small heaps keep each thread's
// resident memory down, since V8 otherwise grows a heap long before collecting it.
const RESOURCE_LIMITS = { maxOldGenerationSizeMb: 96, maxYoungGenerationSizeMb: 8 }

function startParseThread (): Worker {
  return startThread(WORKER_URL, { resourceLimits: RESOURCE_LIMITS })
}

export interface ParsePoolHooks {
  // Told which thread (by index) each slice of a batch went to.
  onDispatch?: (thread: number, files: number) => void
}

export function createParsePool (size: number, hooks: ParsePoolHooks = {}): ParsePool {
  const workers: Worker[] = []
  const pending = new Map<number, Pending>()
  let nextId = 0
  let turn = 0
  // Active milliseconds of threads replaced after a crash.
  let retiredActiveMs = 0
  const activeMs = (w: Worker): number => w.performance.eventLoopUtilization().active

  const spawn = (): Worker => {
    const worker = startParseThread()
    worker.unref()
    worker.on('message', (message: { id: number, outcomes?: ParseOutcome[], error?: string }) => {
      const p = pending.get(message.id)
      if (p === undefined) return
      pending.delete(message.id)
      if (message.outcomes !== undefined) p.resolve(message.outcomes)
      else p.reject(new Error(message.error ?? 'parse worker failed'))
    })
    worker.on('error', (err) => {
      // A crashed thread fails what it held, and only that: the other threads' slices are theirs
      // to answer. It is replaced for the next batch.
      for (const [id, p] of pending) {
        if (p.worker !== worker) continue
        pending.delete(id)
        p.reject(err)
      }
      const i = workers.indexOf(worker)
      if (i !== -1) {
        retiredActiveMs += activeMs(worker)
        workers[i] = spawn()
      }
    })
    return worker
  }
  for (let i = 0; i < size; i++) workers.push(spawn())

  const send = (thread: number, root: string, paths: string[], coverArtSizeLimit: number): Promise<ParseOutcome[]> => new Promise((resolve, reject) => {
    const id = nextId++
    const worker = workers[thread]
    pending.set(id, { worker, resolve, reject })
    hooks.onDispatch?.(thread, paths.length)
    worker.postMessage({ id, root, paths, coverArtSizeLimit })
  })

  return {
    parse: async (root, files, options = { coverArtSizeLimit: 0 }) => {
      if (files.length === 0) return []
      // A scan asked to run without parallelism keeps to the first thread.
      const threads = Math.max(1, Math.min(options.threads ?? workers.length, workers.length))
      // Interleaved slices, so a folder of large files does not land on one thread.
      const slices = Array.from({ length: threads }, () => [] as number[])
      files.forEach((_f, i) => slices[(i + turn) % threads].push(i))
      turn++
      const results = await Promise.all(slices.map((idx, w) => idx.length === 0
        ? Promise.resolve([])
        : send(w, root, idx.map((i) => files[i].path), options.coverArtSizeLimit)))
      const out: ParseOutcome[] = new Array(files.length)
      slices.forEach((idx, w) => idx.forEach((fileIndex, k) => { out[fileIndex] = results[w][k] }))
      return out
    },
    busySeconds: () => (retiredActiveMs + workers.reduce((sum, w) => sum + activeMs(w), 0)) / 1000,
    size,
    close: async () => {
      // A terminated thread never answers: fail what it held, or a batch in flight (and the
      // shutdown waiting for it) would hang forever.
      for (const [id, p] of pending) {
        pending.delete(id)
        p.reject(new Error('parse threads closed'))
      }
      await Promise.all(workers.map((w) => w.terminate()))
    }
  }
}
