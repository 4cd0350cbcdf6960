// What the scanner announces while it works; the SSE route relays these as they are.
import type { Static } from '@sinclair/typebox'
import type { Queryable } from '../db/queryable.js'
import type { ScanEvent as ScanEventSchema } from '../../schemas/scan.js'
import { getScan, toProgress } from './scan-repository.js'

// Anything a client of GET /api/scan/events may receive (documented as ScanEvent).
export type ScanEvent = Static<typeof ScanEventSchema>
// What the scanner publishes: every event but the summary the relay makes for a slow client.
export type PublishedScanEvent = Exclude<ScanEvent, { type: 'tracks:indexed' }>

export interface ScanEventBus {
  publish: (event: PublishedScanEvent) => Promise<void>
  // Resolves once the listener is live (for Redis: once SUBSCRIBE is acknowledged).
  subscribe: (listener: (event: PublishedScanEvent) => void) => Promise<() => void>
  // Whether anyone, in any process, is listening: track events are only built when so.
  hasListeners: () => Promise<boolean>
}

// The scan's progress as its row says now.
export async function publishProgress (events: ScanEventBus, db: Queryable, scanId: string): Promise<void> {
  const row = await getScan(db, scanId)
  if (row !== null) await events.publish({ type: 'scan:progress', scanId, progress: toProgress(row) })
}
