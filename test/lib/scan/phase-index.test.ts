// Phase 2 on its own: the scan says it is indexing, with its final counts, and the phase ends
// once every queued batch has, counting the batches that failed.
import t from 'tap'
import { createMemoryQueue } from '../../../lib/queue/memory-queue.js'
import { waitForIndexing } from '../../../lib/scan/phase-index.js'
import { getScan } from '../../../lib/scan/scan-repository.js'
import { recordingBus, runningScan, scanDatabase } from './phase-fixtures.js'

t.test('waits for every batch, counts the failed ones, and reports the indexing phase', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  const finished: number[] = []
  let release!: () => void
  const held = new Promise<void>((resolve) => { release = resolve })
  queue.process<{ n: number }>('index', async ({ n }) => {
    await held
    if (n === 2) throw new Error('batch 2 could not be written')
    finished.push(n)
  })
  const jobIds = await queue.addBulk('index', [{ n: 1 }, { n: 2 }, { n: 3 }])
  const events = recordingBus()

  const indexing = waitForIndexing({ db, queue, events, scanId: scan.id, filesSeen: 40, total: 30, jobIds, signal: new AbortController().signal })
  let done = false
  void indexing.then(() => { done = true })
  await new Promise((resolve) => setTimeout(resolve, 50))
  t.equal(done, false, 'not done while batches are held')
  t.match(await getScan(db, scan.id), { phase: 'indexing', files_seen: 40, total: 30 })
  t.match(events.published, [{ type: 'scan:progress', scanId: scan.id, progress: { phase: 'indexing', total: 30 } }])

  release()
  t.same(await indexing, { failedBatches: 1 })
  t.same(finished, [1, 3], 'the other batches ran')
})

t.test('a scan with nothing to index is done at once', async (t) => {
  const db = await scanDatabase(t)
  const scan = await runningScan(db)
  const queue = createMemoryQueue()
  t.after(() => queue.close())
  t.same(await waitForIndexing({ db, queue, events: recordingBus(), scanId: scan.id, filesSeen: 3, total: 0, jobIds: [], signal: new AbortController().signal }), { failedBatches: 0 })
})
