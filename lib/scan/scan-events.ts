// What the scanner announces while it works; the SSE route relays these as they are.
import type { TrackT } from '../../schemas/library.js'
import type { Scan, ScanProgress } from './scan-repository.js'

export interface LibraryStats { tracks: number, artists: number, albums: number }

export type ScanEvent =
  | { type: 'scan:start', scan: Scan }
  | { type: 'scan:progress', scanId: string, progress: ScanProgress }
  | { type: 'track:indexed', scanId: string, track: TrackT }
  | { type: 'scan:complete', scan: Scan, stats: LibraryStats }
  | { type: 'scan:error', scan: Scan | null, message: string }

export interface ScanEventBus {
  publish: (event: ScanEvent) => Promise<void>
  // Resolves once the listener is live (for Redis: once SUBSCRIBE is acknowledged).
  subscribe: (listener: (event: ScanEvent) => void) => Promise<() => void>
  // Whether anyone, in any process, is listening: track events are only built when so.
  hasListeners: () => Promise<boolean>
}
