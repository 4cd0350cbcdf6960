// What the scan phase tests share: a migrated embedded database without the app, an event bus
// that keeps what is published, and a running scan row.
import { join } from 'node:path'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { pgliteOptions } from '../../../lib/pglite.js'
import { createOrGetActiveScan, markRunning, type ScanRow } from '../../../lib/scan/scan-repository.js'
import type { PublishedScanEvent, ScanEventBus } from '../../../lib/scan/scan-events.js'
import { pgliteDataDir, type TestLike } from '../../helper.js'

export async function scanDatabase (t: TestLike): Promise<pg.Pool> {
  const dataDir = await pgliteDataDir(t)
  const db = new PGlite(join(dataDir, 'pglite'), pgliteOptions())
  await db.waitReady
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  t.after(async () => {
    await pool.end()
    await db.close()
  })
  return pool
}

export interface RecordingBus extends ScanEventBus {
  published: PublishedScanEvent[]
}

export function recordingBus (listening = true): RecordingBus {
  const published: PublishedScanEvent[] = []
  const listeners = new Set<(event: PublishedScanEvent) => void>()
  return {
    published,
    publish: async (event) => {
      published.push(event)
      for (const listener of listeners) listener(event)
    },
    subscribe: async (listener) => {
      listeners.add(listener)
      return () => { listeners.delete(listener) }
    },
    hasListeners: async () => listening || listeners.size > 0
  }
}

export async function runningScan (db: pg.Pool): Promise<ScanRow> {
  const { scan } = await createOrGetActiveScan(db)
  return await markRunning(db, scan.id) as ScanRow
}

export const silentLog = { info: () => {}, warn: () => {}, error: () => {} }
