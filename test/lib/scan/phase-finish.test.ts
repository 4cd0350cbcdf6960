// Phase 4 on its own, and the two other ways a scan ends: what is written, and what is announced.
import t from 'tap'
import { abortScan, failScan, finishRun } from '../../../lib/scan/phase-finish.js'
import { deleteScan, getScan, toScan } from '../../../lib/scan/scan-repository.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { recordingBus, runningScan, scanDatabase, silentLog } from './phase-fixtures.js'

t.test('a run whose batches all went in completes, with the library counts', async (t) => {
  const db = await scanDatabase(t)
  await seedTrack(db, { filePath: 'a.mp3' })
  await seedTrack(db, { filePath: 'b.mp3' })
  const scan = await runningScan(db)
  const events = recordingBus()
  const finished = await finishRun({ db, events, log: silentLog, scanId: scan.id, failedBatches: 0, removed: 3, timings: { walkMs: 1 } })
  t.match(finished, { status: 'completed', phase: 'complete', removed: 3, error: null })
  t.ok(finished?.finished_at, 'with its end time')
  t.same(events.published, [{ type: 'scan:complete', scan: toScan(finished!), stats: { tracks: 2, artists: 2, albums: 2 } }])
})

t.test('a search-word refresh that fails leaves the scan completed and says so in the log', async (t) => {
  const db = await scanDatabase(t)
  await seedTrack(db, { filePath: 'a.mp3' })
  const scan = await runningScan(db)
  // The refresh's one statement fails as it would with the database busy (a deadlock, a
  // timeout); every other statement goes through.
  const flaky = {
    query: async (text: string, values?: unknown[]) => {
      if (text.includes('pg_try_advisory_xact_lock')) throw Object.assign(new Error('deadlock detected'), { code: '40P01' })
      return await db.query(text, values)
    }
  } as typeof db
  const warned: string[] = []
  const log = { ...silentLog, warn: (_obj: object, msg?: string) => { warned.push(msg ?? '') } }
  const finished = await finishRun({ db: flaky, events: recordingBus(), log, scanId: scan.id, failedBatches: 0, removed: 0, timings: {} })
  t.match(finished, { status: 'completed', error: null }, 'the scan\'s outcome is the scan\'s')
  t.same(warned, ['search words not refreshed; the next search will'])
})

t.test('a run with failed batches fails and says how many', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  const events = recordingBus()
  const finished = await finishRun({ db, events, log: silentLog, scanId: scan.id, failedBatches: 2, removed: 0, timings: {} })
  const message = '2 index batch(es) failed; their files were not indexed'
  t.match(finished, { status: 'failed', phase: 'error', error: message })
  t.same(events.published, [{ type: 'scan:error', scan: toScan(finished!), message }])
})

t.test('a scan deleted meanwhile is not announced', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  await deleteScan(db, scan.id)
  const events = recordingBus()
  t.equal(await finishRun({ db, events, log: silentLog, scanId: scan.id, failedBatches: 0, removed: 0, timings: {} }), null)
  t.same(events.published, [])
})

t.test('an aborted scan and a failed one are written and announced', async (t) => {
  const db = await scanDatabase(t)
  const events = recordingBus()
  const signal = new AbortController().signal
  const warned: string[] = []
  const log = { ...silentLog, warn: (_obj: object, msg?: string) => { warned.push(msg ?? '') } }

  const first = await runningScan(db)
  const aborted = await abortScan({ db, events, log, scanId: first.id, signal }, 'media root missing; nothing was removed')
  t.match(aborted, { status: 'aborted', error: 'media root missing; nothing was removed' })
  t.same(warned, ['media root missing; nothing was removed'], 'and logged')

  const second = await runningScan(db)
  const failed = await failScan({ db, events, log, scanId: second.id, signal }, new Error('disk on fire'))
  t.match(failed, { status: 'failed', error: 'scan failed: disk on fire' })
  t.match(await getScan(db, second.id), { status: 'failed' })
  t.same(events.published.map((e) => e.type), ['scan:error', 'scan:error'])
  t.match(events.published[1], { message: 'scan failed: disk on fire', scan: { id: second.id, status: 'failed' } })
})

t.test('a failure is recorded once the database answers again', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  const events = recordingBus()
  let refusals = 0
  // The first two writes meet a database that is down (as node-postgres reports it).
  const flaky = {
    query: async (text: string, values?: unknown[]) => {
      if (text.startsWith('UPDATE scans') && refusals < 2) {
        refusals++
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
      }
      return await db.query(text, values)
    }
  }
  const finished = await failScan({ db: flaky as typeof db, events, log: silentLog, scanId: scan.id, signal: new AbortController().signal }, new Error('lost'))
  t.equal(refusals, 2)
  t.match(finished, { status: 'failed', error: 'scan failed: lost' })
})
