// Every event the SSE relay writes, for a client that keeps up and for one that falls behind,
// matches the ScanEvent schema the OpenAPI document publishes. The events come from real scans
// (phases, index batches on the memory queue, tags read from real files).
import t from 'tap'
import { EventEmitter } from 'node:events'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import { Ajv } from 'ajv'
import addFormatsImport from 'ajv-formats'
import { AudioFormat, MusicBrainzIds, ReplayGain, Track } from '../../../schemas/library.js'
import { LibraryCounts, Scan, ScanEvent, ScanProgress } from '../../../schemas/scan.js'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import { parseInProcess, runIndexJob, runScanJob, type IndexJobData, type JobDeps } from '../../../lib/scan/jobs.js'
import { createOrGetActiveScan } from '../../../lib/scan/scan-repository.js'
import { SseRelay, type EventSink } from '../../../lib/scan/sse-relay.js'
import { tempDir } from '../../helper.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { recordingBus, scanDatabase, silentLog } from './phase-fixtures.js'

// ajv-formats is CommonJS with a default export; under ESM interop it may arrive wrapped.
const addFormats = ((addFormatsImport as unknown as { default?: unknown }).default ?? addFormatsImport) as (ajv: Ajv) => Ajv

function validator (): (event: unknown) => string[] {
  const ajv = new Ajv({ strict: false, allErrors: true })
  addFormats(ajv)
  for (const schema of [AudioFormat, ReplayGain, MusicBrainzIds, Track, Scan, ScanProgress, LibraryCounts]) ajv.addSchema(schema)
  const validate = ajv.compile(ScanEvent)
  return (event) => validate(event) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`)
}

// A response whose unsent bytes the test sets: above the relay's limit, it is a client behind.
class FakeSink extends EventEmitter implements EventSink {
  frames: string[] = []
  writableLength = 0
  write (chunk: Buffer): boolean {
    this.frames.push(chunk.toString())
    return true
  }

  drain (): void {
    this.writableLength = 0
    this.emit('drain')
  }
}

const eventsIn = (sink: FakeSink): unknown[] =>
  sink.frames.filter((f) => f.startsWith('data: ')).map((f) => JSON.parse(f.slice('data: '.length)))

t.test('the relay writes only events the ScanEvent schema describes', async (t) => {
  const problems = validator()
  t.not(problems({ type: 'scan:start', scan: null }), [], 'the schema refuses an event that is not one')
  t.not(problems({ type: 'scan:finished', scanId: 'x' }), [], 'and an unknown type')

  const db = await scanDatabase(t)
  const media = await tempDir(t, 'sonantica-event-schema-')
  for (let i = 1; i <= 4; i++) {
    await writeAudioFixture(join(media, 'Artist', 'Album'), 'mp3', { name: `0${i}`, tags: { title: `Song ${i}`, artist: 'Artist', album: 'Album', track: String(i) } })
  }
  await writeFile(join(media, 'broken.mp3'), Buffer.alloc(2000, 3))

  const queue = createMemoryQueue()
  t.after(() => queue.close())
  const bus = recordingBus()
  const deps: JobDeps = {
    pool: db,
    queue,
    events: bus,
    mediaPath: media,
    batchSize: 1,
    parse: parseInProcess(2),
    log: silentLog,
    signal: new AbortController().signal,
    analysis: { enabled: false, publishDue: async () => null }
  }
  queue.process<IndexJobData>('index', async (data) => { await runIndexJob(deps, data) })

  const options = { maxBufferedBytes: 1024, maxLagMs: 60_000, onLagging: () => { t.fail('no client is let go here') } }
  const keepingUp = new FakeSink()
  const behind = new FakeSink()
  behind.writableLength = options.maxBufferedBytes
  const relays = [new SseRelay(keepingUp, options), new SseRelay(behind, options)]
  await bus.subscribe((event) => { for (const relay of relays) relay.send(event) })

  const scanOnce = async (): Promise<void> => {
    const { scan } = await createOrGetActiveScan(db)
    await runScanJob(deps, { scanId: scan.id }, { id: scan.id, attempt: 1 })
  }
  await scanOnce()
  // The library is gone (an unmounted disk): the scan is aborted.
  deps.mediaPath = join(media, 'unmounted')
  await scanOnce()
  // What a scan that cannot be read back announces.
  await bus.publish({ type: 'scan:error', scan: null, message: 'scan failed: database gone' })

  behind.drain()
  for (const relay of relays) relay.close()

  const all = [...eventsIn(keepingUp), ...eventsIn(behind)] as Array<{ type: string }>
  const types = new Set(all.map((e) => e.type))
  t.same([...types].sort(), ['scan:complete', 'scan:error', 'scan:progress', 'scan:start', 'track:indexed', 'tracks:indexed'], 'every kind of event was written')
  t.ok(eventsIn(behind).some((e) => (e as { type: string }).type === 'tracks:indexed'), 'the client behind got a summary')
  for (const event of all) t.same(problems(event), [], `${event.type} matches ScanEvent`)
})
