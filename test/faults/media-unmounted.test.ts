// The media root disappears between scans (an unmounted disk): the scan must abort visibly and
// leave the library exactly as it was; once the root is back, scanning works again.
import t from 'tap'
import { rename } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath } from '../fixtures/scan.js'
import { tempDir } from '../helper.js'

t.test('a scan of a vanished media root aborts and removes nothing', async (t) => {
  const parent = await tempDir(t, 'sonantica-mount-')
  const mediaPath = join(parent, 'music')
  for (let i = 1; i <= 6; i++) {
    await writeAudioFixture(join(mediaPath, `Artist ${i % 2}`, `Album ${i % 3}`), i % 2 === 0 ? 'mp3' : 'flac', {
      tags: { title: `Song ${i}`, artist: `Artist ${i % 2}`, album: `Album ${i % 3}`, track: String(i) }
    })
  }
  const { app, pg } = await buildScanApp(t, { mediaPath })

  const first = await scan(app)
  t.equal(first.status, 'completed', 'first scan completes')
  t.equal(first.added, 6)
  const before = await tracksByPath(pg)
  const statsBefore = (await app.inject('/api/library/stats')).json()

  await rename(mediaPath, join(parent, 'unmounted'))
  const aborted = await scan(app)
  t.equal(aborted.status, 'aborted', 'the scan aborts')
  t.match(aborted.error, /nothing was removed/, 'the reason says the library was kept')
  t.equal(aborted.removed, 0)

  const status = (await app.inject('/api/scan/status')).json()
  t.equal(status.isScanning, false)
  t.equal(status.scan.id, aborted.id, '/api/scan/status shows the aborted scan')
  t.equal(status.scan.status, 'aborted')
  t.match(status.scan.error, /media root/)
  t.equal(status.progress.phase, 'error')
  const byId = await app.inject(`/api/scans/${aborted.id}`)
  t.equal(byId.statusCode, 200)
  t.equal(byId.json().status, 'aborted', '/api/scans/{id} shows it too')
  t.equal(byId.json().error, aborted.error)

  const after = await tracksByPath(pg)
  t.same([...after.keys()], [...before.keys()], 'same files indexed')
  t.same([...after.values()].map((r) => r.id), [...before.values()].map((r) => r.id), 'same track ids')
  const { lastScan: _was, ...countsBefore } = statsBefore
  const { lastScan: _now, ...countsAfter } = (await app.inject('/api/library/stats')).json()
  t.same(countsAfter, countsBefore, 'same counts')
  const list = (await app.inject('/api/library/tracks?limit=500')).json()
  t.equal(list.total, 6, 'the library still lists every track')

  await rename(join(parent, 'unmounted'), mediaPath)
  const again = await scan(app)
  t.equal(again.status, 'completed', 'root back: the scan runs normally')
  t.equal(again.error, null)
  t.equal(again.filesSeen, 6)
  t.equal(again.removed, 0)
  const final = await tracksByPath(pg)
  t.same([...final.values()].map((r) => r.id), [...before.values()].map((r) => r.id), 'still the same track ids')
})
