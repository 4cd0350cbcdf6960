// A folder the scan cannot read, or one emptied while it still exists (an unmounted disk's
// mount point), never causes removals: its tracks stay with their ids and the scan completes
// with a warning. A folder that is gone, or a file deleted from a readable folder, is removed.
import t from 'tap'
import { chmod, mkdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath, waitForScan, type ScanApp } from '../fixtures/scan.js'
import { asUnprivileged, handToUnprivileged } from '../fixtures/unprivileged.js'
import { readMessages } from '../fixtures/sse.js'

async function library (t: Parameters<typeof tempDir>[0]): Promise<string> {
  const media = await tempDir(t, 'sonantica-media-')
  // Distinct titles: the fixtures are cached by tags, and the same bytes twice are one content.
  await writeAudioFixture(join(media, 'Kept'), 'mp3', { tags: { title: 'Kept One', artist: 'K', album: 'Kept' } })
  await writeAudioFixture(join(media, 'Shaky'), 'mp3', { tags: { title: 'Shaky Two', artist: 'S', album: 'Shaky' } })
  await writeAudioFixture(join(media, 'Shaky', 'Disc 2'), 'flac', { tags: { title: 'Shaky Three', artist: 'S', album: 'Shaky' } })
  return media
}

async function ids (pg: ScanApp['pg']): Promise<Record<string, string>> {
  const rows = await tracksByPath(pg)
  return Object.fromEntries([...rows.entries()].map(([path, row]) => [path, row.id as string]))
}

async function scanErrors (s: ScanApp, id: string): Promise<Array<{ path: string, message: string }>> {
  return (await waitForScan(s.app, id) as unknown as { errors: Array<{ path: string, message: string }> }).errors
}

t.test('an unreadable folder keeps its tracks, the scan completes with a warning, and reading it again changes nothing', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const first = await scan(s.app)
    t.match(first, { status: 'completed', added: 3, warnings: 0 })
    const before = await ids(s.pg)
    const shaky = before['Shaky/Shaky Two.mp3']
    t.equal((await s.app.inject({ method: 'PATCH', url: `/api/library/tracks/${shaky}`, payload: { isFavorite: true } })).statusCode, 200)

    await handToUnprivileged(media, s.env.DATA_DIR ?? '')
    await chmod(join(media, 'Shaky'), 0o000)
    t.teardown(() => chmod(join(media, 'Shaky'), 0o755).catch(() => {}))
    const blocked = await asUnprivileged(() => scan(s.app))
    t.match(blocked, { status: 'completed', removed: 0, warnings: 1, error: null }, 'completed with one warning, nothing removed')
    t.match(await scanErrors(s, blocked.id), [{ path: 'Shaky', message: /^warning: folder could not be read \(EACCES\); the 2 indexed tracks under it were kept/ }])
    t.same(await ids(s.pg), before, 'every track is still there with its id')
    const streamed = await asUnprivileged(async () => await s.app.inject({ url: `/api/stream/${shaky}` }))
    t.equal(streamed.statusCode, 404, 'while its folder cannot be read, its stream answers 404 and the service stays up')

    const status = (await s.app.inject({ url: '/api/scan/status' })).json()
    t.match(status.scan, { id: blocked.id, status: 'completed', warnings: 1 }, 'the status shows the warnings')

    await chmod(join(media, 'Shaky'), 0o755)
    const again = await asUnprivileged(() => scan(s.app))
    t.match(again, { status: 'completed', added: 0, removed: 0, warnings: 0 })
    t.same(await ids(s.pg), before, 'readable again: the same ids')
    const track = (await s.app.inject({ url: `/api/library/tracks/${shaky}` })).json()
    t.equal(track.isFavorite, true, 'the favourite is kept')
  })
})

t.test('an emptied folder that still exists keeps its tracks; a folder that is gone takes them', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const away = await tempDir(t, 'sonantica-away-')
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scan(s.app)
    const before = await ids(s.pg)

    // The mount point of an unmounted disk: the folder is there, its entries are not.
    await rename(join(media, 'Shaky'), join(away, 'Shaky'))
    await mkdir(join(media, 'Shaky'))
    const address = await s.app.listen({ port: 0, host: '127.0.0.1' })
    const events = await readMessages(`${address}/api/scan/events`, (ev) => ev.some((e) => e.type === 'scan:complete' || e.type === 'scan:error'), async () => {
      t.equal((await s.app.inject({ method: 'POST', url: '/api/scan/start' })).statusCode, 202)
    })
    t.match(events.at(-1), { type: 'scan:complete', scan: { status: 'completed', removed: 0, warnings: 1 }, stats: { tracks: 3 } },
      'scan:complete says completed with a warning')
    const emptied = await waitForScan(s.app, (events.at(-1)?.scan as { id: string }).id)
    t.match(emptied, { status: 'completed', removed: 0, warnings: 1 })
    t.match(await scanErrors(s, emptied.id), [{ path: 'Shaky', message: /^warning: folder is empty but 2 indexed tracks were under it/ }])
    t.same(await ids(s.pg), before, 'nothing removed')

    await rm(join(media, 'Shaky'), { recursive: true })
    await rename(join(away, 'Shaky'), join(media, 'Shaky'))
    t.match(await scan(s.app), { status: 'completed', added: 0, removed: 0, warnings: 0 })
    t.same(await ids(s.pg), before, 'mounted again: the same ids')

    await rm(join(media, 'Shaky'), { recursive: true })
    const gone = await scan(s.app)
    t.match(gone, { status: 'completed', removed: 2, warnings: 0 }, 'a folder that is gone is removed')
    t.same(Object.keys(await ids(s.pg)), ['Kept/Kept One.mp3'])
  })
})

t.test('a file deleted from a readable folder is removed from lists and streams', async (t) => {
  await eachVariant(t, {}, async (t, v) => {
    const media = await library(t)
    const s = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scan(s.app)
    const before = await ids(s.pg)
    await rm(join(media, 'Shaky', 'Shaky Two.mp3'))
    const done = await scan(s.app)
    t.match(done, { status: 'completed', removed: 1, warnings: 0 })
    const list = (await s.app.inject({ url: '/api/library/tracks' })).json()
    t.same(list.tracks.map((x: { title: string }) => x.title).sort(), ['Kept One', 'Shaky Three'])
    t.equal(list.total, 2)
    t.equal((await s.app.inject({ url: `/api/library/tracks/${before['Shaky/Shaky Two.mp3']}` })).statusCode, 404)
    t.equal((await s.app.inject({ url: `/api/stream/${before['Shaky/Shaky Two.mp3']}` })).statusCode, 404)
  })
})
