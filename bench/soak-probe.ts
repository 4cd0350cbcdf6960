// Preloaded (--import) into the server process the soak spawns, never into the product: answers
// the soak's questions over the IPC channel with what only the process itself can see (its V8
// heap, live handles) and writes heap snapshots on request, to compare them over time.
// Inactive unless SOAK_PROBE=1 and the process was given an IPC channel.
import { setFlagsFromString, writeHeapSnapshot } from 'node:v8'
import { runInNewContext } from 'node:vm'

export interface ProbeSample {
  rssMb: number
  heapUsedMb: number
  heapTotalMb: number
  externalMb: number
  arrayBuffersMb: number
  handles: number
}

export type ProbeRequest =
  | { id: number, type: 'sample' }
  | { id: number, type: 'snapshot', path: string, gc: boolean }

export type ProbeReply = { id: number, sample: ProbeSample } | { id: number, path: string, ms: number }

const mb = (bytes: number): number => Math.round(bytes / 104857.6) / 10

// A full collection before a snapshot, so two snapshots differ by what is retained, not by
// garbage that happened to be waiting.
function collectGarbage (): void {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  gc()
}

if (process.env.SOAK_PROBE === '1' && typeof process.send === 'function') {
  const send = process.send.bind(process)
  process.on('message', (req: ProbeRequest) => {
    if (req.type === 'sample') {
      const m = process.memoryUsage()
      send({
        id: req.id,
        sample: {
          rssMb: mb(m.rss),
          heapUsedMb: mb(m.heapUsed),
          heapTotalMb: mb(m.heapTotal),
          externalMb: mb(m.external),
          arrayBuffersMb: mb(m.arrayBuffers),
          handles: process.getActiveResourcesInfo().length
        }
      } satisfies ProbeReply)
    } else if (req.type === 'snapshot') {
      const t0 = Date.now()
      if (req.gc) collectGarbage()
      const path = writeHeapSnapshot(req.path)
      send({ id: req.id, path, ms: Date.now() - t0 } satisfies ProbeReply)
    }
  })
  // The channel must not keep a server that was told to stop from exiting.
  process.channel?.unref()
}
