// The Prometheus registry of one app instance (never prom-client's global one, so a process may
// build several apps, as the tests do): what the hooks count as requests pass, and what is read
// from the ops readers at each scrape. docs/metrics.md says what each metric means.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from 'prom-client'
import { QUEUE_NAMES } from '../queue/job-queue.js'
import type { Ops } from './ops-service.js'
import type { ScanTotals } from './ops-repository.js'

// Request methods are labels as they are only when they are known ones: any other word a client
// sends would be a new series.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
// What the route label says for a request the router matched to nothing (never its raw URL).
export const UNMATCHED_ROUTE = 'unmatched'
const PREFIX = 'sonantica_'
// From a cached JSON page (a few ms) to a whole-library list or a slow transcode start.
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]

export interface MetricsOptions {
  // Read the scans table at each scrape. Only the API does: a worker would count the same scans again.
  scans: boolean
  // Whether this process serves HTTP: the request, stream and event stream metrics exist only then.
  http: boolean
  version: string
}

// A collector must not fail the scrape: a figure that cannot be read now keeps its last value.
async function quietly (read: () => Promise<void>): Promise<void> {
  try {
    await read()
  } catch {}
}

export function createMetrics (ops: Ops, opts: MetricsOptions) {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry })
  const registers = [registry]
  const add = (metric: Metric): void => { registry.registerMetric(metric) }
  // The scans table is read once per scrape, however many metrics come from it: collectors run
  // together, and share the read in flight.
  let scanRead: Promise<ScanTotals> | null = null
  const scans = async (): Promise<ScanTotals> => {
    scanRead ??= ops.scanTotals().finally(() => { scanRead = null })
    return await scanRead
  }

  new Gauge({ name: `${PREFIX}build_info`, help: 'Always 1; the labels say which build runs', labelNames: ['version'], registers })
    .set({ version: opts.version }, 1)

  // Made either way (the hooks call them), exposed only by a process that serves HTTP.
  const served = opts.http ? registers : []
  const requests = new Counter({ name: `${PREFIX}http_requests_total`, help: 'HTTP requests answered, by route pattern, method and status', labelNames: ['route', 'method', 'status_code'], registers: served })
  const latency = new Histogram({ name: `${PREFIX}http_request_duration_seconds`, help: 'Time from a request\'s arrival to its response\'s end (a stream\'s whole length), by route pattern and method', labelNames: ['route', 'method'], buckets: LATENCY_BUCKETS, registers: served })
  const streamBytes = new Counter({ name: `${PREFIX}stream_sent_bytes_total`, help: 'Bytes of audio bodies written to clients\' sockets (headers not counted)', registers: served })
  const streamsStarted = new Counter({ name: `${PREFIX}streams_total`, help: 'Audio responses started (whole files, ranges and transcodes)', registers: served })
  const streamsActive = new Gauge({ name: `${PREFIX}streams_active`, help: 'Audio responses being sent now', registers: served })
  const sseSubscribers = new Gauge({ name: `${PREFIX}sse_subscribers`, help: 'Open GET /api/scan/events streams', registers: served })

  if (opts.scans) {
    add(new Gauge({
      name: `${PREFIX}scans_running`,
      help: 'Scans queued or running (0 or 1)',
      registers: [],
      async collect () { await quietly(async () => { this.set((await scans()).running) }) }
    }))
    add(new Counter({
      name: `${PREFIX}scans_total`,
      help: 'Scans finished, by how they ended (completed, failed, aborted)',
      labelNames: ['status'],
      registers: [],
      async collect () {
        await quietly(async () => {
          const totals = await scans()
          this.reset()
          for (const [status, n] of Object.entries(totals.byStatus)) this.inc({ status }, n)
        })
      }
    }))
    add(new Counter({
      name: `${PREFIX}scan_files_total`,
      help: 'Files met by scans, by outcome: seen (found by the walk), added, updated, removed, failed, skipped (no audio stream or over the size limit)',
      labelNames: ['outcome'],
      registers: [],
      async collect () {
        await quietly(async () => {
          const t = await scans()
          this.reset()
          const outcomes = { seen: t.filesSeen, added: t.added, updated: t.updated, removed: t.removed, failed: t.failed, skipped: t.skipped }
          for (const [outcome, n] of Object.entries(outcomes)) this.inc({ outcome }, n)
        })
      }
    }))
    add(new Counter({
      name: `${PREFIX}scan_duration_seconds_total`,
      help: 'Wall time of every finished scan, summed',
      registers: [],
      async collect () {
        await quietly(async () => {
          const t = await scans()
          this.reset()
          this.inc(t.durationSeconds)
        })
      }
    }))
    add(new Gauge({
      name: `${PREFIX}scan_last_duration_seconds`,
      help: 'Wall time of the latest finished scan',
      registers: [],
      async collect () {
        await quietly(async () => {
          const last = (await scans()).lastDurationSeconds
          if (last !== null) this.set(last)
        })
      }
    }))
  }

  add(new Gauge({
    name: `${PREFIX}queue_jobs`,
    help: 'Jobs per queue and state (waiting, active, delayed, failed); with Redis, those of every process',
    labelNames: ['queue', 'state'],
    registers: [],
    async collect () {
      await quietly(async () => {
        const depths = await ops.queueDepths()
        for (const [queue, depth] of Object.entries(depths)) {
          for (const [state, n] of Object.entries(depth)) this.set({ queue, state }, n)
        }
      })
    }
  }))
  add(new Counter({
    name: `${PREFIX}queue_job_failures_total`,
    help: 'Job runs that failed in this process, retried ones included',
    labelNames: ['queue'],
    registers: [],
    collect () {
      const failures = ops.queueFailures()
      this.reset()
      for (const queue of QUEUE_NAMES) this.inc({ queue }, failures[queue])
    }
  }))

  add(new Gauge({
    name: `${PREFIX}db_pool_connections`,
    help: 'Database connections by state: in_use (running a query or transaction) or idle',
    labelNames: ['state'],
    registers: [],
    collect () {
      const pool = ops.pool()
      this.set({ state: 'in_use' }, pool.inUse)
      this.set({ state: 'idle' }, pool.idle)
    }
  }))
  add(new Gauge({ name: `${PREFIX}db_pool_waiting`, help: 'Queries waiting for a free database connection', registers: [], collect () { this.set(ops.pool().waiting) } }))

  // Utilisation is rate(busy seconds) / threads; threads start with a scan's first batch and go
  // a second after its last.
  if (ops.parseThreads() !== null) {
    const usage = (): { threads: number, busySeconds: number } => ops.parseThreads() ?? { threads: 0, busySeconds: 0 }
    add(new Gauge({ name: `${PREFIX}parse_threads`, help: 'Tag-parsing threads running now', registers: [], collect () { this.set(usage().threads) } }))
    add(new Counter({
      name: `${PREFIX}parse_thread_busy_seconds_total`,
      help: 'Seconds the tag-parsing threads have spent working (event-loop active time)',
      registers: [],
      collect () {
        this.reset()
        this.inc(usage().busySeconds)
      }
    }))
  }

  const transcodes = ops.transcodes()
  if (transcodes !== null) {
    add(new Gauge({ name: `${PREFIX}transcodes_running`, help: 'ffmpeg processes running', registers: [], collect () { this.set(transcodes.running) } }))
    add(new Gauge({ name: `${PREFIX}transcodes_queued`, help: 'Requests waiting for a free transcoder', registers: [], collect () { this.set(transcodes.queued) } }))
    add(new Gauge({ name: `${PREFIX}transcode_slots`, help: 'ffmpeg processes allowed at once (TRANSCODE_MAX)', registers: [], collect () { this.set(transcodes.slots) } }))
  }

  if (ops.caches() !== null) {
    add(new Gauge({
      name: `${PREFIX}cache_entries`,
      help: 'Entries per cache (response, whole_lists, transcodes)',
      labelNames: ['cache'],
      registers: [],
      collect () { for (const [cache, f] of cacheFigures(ops)) this.set({ cache }, f.entries) }
    }))
    add(new Gauge({
      name: `${PREFIX}cache_size_bytes`,
      help: 'Bytes held per cache (response in memory; whole_lists and transcodes on disk)',
      labelNames: ['cache'],
      registers: [],
      collect () { for (const [cache, f] of cacheFigures(ops)) this.set({ cache }, f.bytes) }
    }))
  }
  if (ops.responseCacheLookups() !== null) {
    add(new Counter({ name: `${PREFIX}response_cache_hits_total`, help: 'Library responses answered from the response cache', registers: [], collect () { this.reset(); this.inc(ops.responseCacheLookups()?.hits ?? 0) } }))
    add(new Counter({ name: `${PREFIX}response_cache_misses_total`, help: 'Cacheable library responses that had to be computed', registers: [], collect () { this.reset(); this.inc(ops.responseCacheLookups()?.misses ?? 0) } }))
  }

  return {
    registry,
    observeRequest: (route: string | undefined, method: string, status: number, seconds: number): void => {
      const labels = { route: route ?? UNMATCHED_ROUTE, method: METHODS.has(method) ? method : 'OTHER' }
      requests.inc({ ...labels, status_code: String(status) })
      latency.observe(labels, seconds)
    },
    // Returns the function to call with the body's bytes once the response has closed.
    streamStarted: (): ((bytes: number) => void) => {
      streamsStarted.inc()
      streamsActive.inc()
      return (bytes) => {
        streamsActive.dec()
        streamBytes.inc(Math.max(0, bytes))
      }
    },
    sseOpened: (): void => { sseSubscribers.inc() },
    sseClosed: (): void => { sseSubscribers.dec() }
  }
}

const CACHE_LABELS = { response: 'response', wholeLists: 'whole_lists', transcodes: 'transcodes' } as const

function cacheFigures (ops: Ops): Array<[string, { entries: number, bytes: number }]> {
  const caches = ops.caches()
  if (caches === null) return []
  return Object.entries(caches).map(([name, f]) => [CACHE_LABELS[name as keyof typeof CACHE_LABELS], f])
}

export type Metrics = ReturnType<typeof createMetrics>
