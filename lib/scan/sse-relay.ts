// Relays scan events to one Server-Sent Events response without letting a client that reads
// slowly, or not at all, make the service buffer for it. Below the limit every event is written
// as it comes. Above it nothing more is written: track:indexed events fold into one
// `tracks:indexed` summary, progress keeps only its latest report, and the few events that
// matter on their own (scan:start, scan:complete, scan:error) wait in order; all of it is
// written once the client has drained. A client that stays above the limit is disconnected.
import type { Static } from '@sinclair/typebox'
import type { TrackT } from '../../schemas/library.js'
import { SUMMARY_TRACKS, type TracksIndexedEvent } from '../../schemas/scan.js'
import type { PublishedScanEvent } from './scan-events.js'

// What the relay needs of an HTTP response (node's ServerResponse fits).
export interface EventSink {
  write: (chunk: Buffer) => boolean
  readonly writableLength: number
  on: (event: 'drain', listener: () => void) => unknown
  off: (event: 'drain', listener: () => void) => unknown
}

export interface RelayOptions {
  // Nothing more is written while the response holds this many unsent bytes.
  maxBufferedBytes: number
  // A client held above the limit this long is let go (onLagging is called).
  maxLagMs: number
  onLagging: () => void
}

// Held items (summaries and the events between them) per client. Reached only by a client that
// sleeps through many scans within maxLagMs; the oldest go first.
const MAX_HELD = 32

type TracksIndexed = Static<typeof TracksIndexedEvent>

interface Summary {
  scanId: string
  count: number
  tracks: TrackT[]
  single: PublishedScanEvent | null
  progress: PublishedScanEvent | null
}

type Held = { summary: Summary } | { event: PublishedScanEvent }

// Every client gets the same event object from the bus: serialise and encode it once for all of
// them (a string would be encoded again for every socket it is written to).
const frames = new WeakMap<object, Buffer>()
function frame (event: object): Buffer {
  let bytes = frames.get(event)
  if (bytes === undefined) {
    bytes = Buffer.from(`data: ${JSON.stringify(event)}\n\n`)
    frames.set(event, bytes)
  }
  return bytes
}
const PING = Buffer.from(': ping\n\n')

export class SseRelay {
  private readonly held: Held[] = []
  private lagTimer: NodeJS.Timeout | null = null
  private closed = false
  private readonly onDrain = (): void => { this.flush() }

  // Counters for the logs and tests: events written as they came, and events folded or replaced.
  written = 0
  folded = 0

  constructor (private readonly sink: EventSink, private readonly opts: RelayOptions) {
    sink.on('drain', this.onDrain)
  }

  send (event: PublishedScanEvent): void {
    if (this.closed) return
    if (this.held.length > 0) this.flush()
    if (this.held.length === 0 && this.roomy()) {
      this.write(frame(event))
      this.written++
      return
    }
    this.hold(event)
  }

  // A comment line that keeps idle proxies open; pointless (and skipped) for a client behind.
  ping (): void {
    if (!this.closed && this.held.length === 0 && this.roomy()) this.write(PING)
  }

  close (): void {
    this.closed = true
    this.held.length = 0
    this.clearLag()
    this.sink.off('drain', this.onDrain)
  }

  get lagging (): boolean {
    return this.held.length > 0
  }

  private roomy (): boolean {
    return this.sink.writableLength < this.opts.maxBufferedBytes
  }

  private write (bytes: Buffer): void {
    // The return value is not needed: writableLength is read before every write, and a write
    // that crossed the socket's high-water mark guarantees the 'drain' that flushes held events.
    this.sink.write(bytes)
  }

  private hold (event: PublishedScanEvent): void {
    if (event.type === 'track:indexed' || event.type === 'scan:progress') {
      const last = this.held.at(-1)
      let summary = last !== undefined && 'summary' in last && last.summary.scanId === event.scanId ? last.summary : null
      if (summary === null) {
        summary = { scanId: event.scanId, count: 0, tracks: [], single: null, progress: null }
        this.held.push({ summary })
      }
      if (event.type === 'track:indexed') {
        summary.count++
        summary.single = summary.count === 1 ? event : null
        summary.tracks.push(event.track)
        if (summary.tracks.length > SUMMARY_TRACKS) summary.tracks.shift()
        if (summary.count > 1) this.folded++
      } else {
        if (summary.progress !== null) this.folded++
        summary.progress = event
      }
    } else {
      this.held.push({ event })
    }
    if (this.held.length > MAX_HELD) this.held.shift()
    this.lagTimer ??= setTimeout(() => {
      this.lagTimer = null
      if (this.held.length > 0 && !this.closed) this.opts.onLagging()
    }, this.opts.maxLagMs)
  }

  private flush (): void {
    while (this.held.length > 0 && this.roomy()) {
      const item = this.held.shift() as Held
      if ('event' in item) {
        this.write(frame(item.event))
        continue
      }
      const { summary } = item
      if (summary.single !== null) this.write(frame(summary.single))
      else if (summary.count > 0) {
        const batch: TracksIndexed = { type: 'tracks:indexed', scanId: summary.scanId, count: summary.count, tracks: summary.tracks }
        this.write(frame(batch))
      }
      if (summary.progress !== null) this.write(frame(summary.progress))
    }
    if (this.held.length === 0) this.clearLag()
  }

  private clearLag (): void {
    if (this.lagTimer !== null) clearTimeout(this.lagTimer)
    this.lagTimer = null
  }
}
