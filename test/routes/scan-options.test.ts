// The web app's scan settings, sent the way the app sends them.
import t from 'tap'
import { copyFile, mkdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant } from '../helper.js'
import { coverImage, writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, tracksByPath, waitForScan, type ScanBody } from '../fixtures/scan.js'
import type { TestApp } from '../helper.js'

const JSON_HEADERS = { 'content-type': 'application/json' }

async function startWith (app: TestApp, payload: string): Promise<ScanBody> {
  const res = await app.inject({ method: 'POST', url: '/api/scan/start', headers: JSON_HEADERS, payload })
  if (res.statusCode !== 202) throw new Error(`scan start answered ${res.statusCode}: ${res.body}`)
  return waitForScan(app, (res.json() as ScanBody).id)
}

async function errorsOf (app: TestApp, id: string): Promise<Map<string, string>> {
  const body = (await app.inject(`/api/scans/${id}`)).json() as { errors: Array<{ path: string, message: string }> }
  return new Map(body.errors.map((e) => [e.path, e.message]))
}

t.test("the app's exact request body starts a scan", async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    await writeAudioFixture(join(env.MEDIA_PATH as string, 'A'), 'mp3', { tags: { title: 'One' } })
    await writeAudioFixture(join(env.MEDIA_PATH as string, 'A'), 'flac', { tags: { title: 'Two' }, cover: true })
    const done = await startWith(app, '{"scanFileSizeLimit":0,"coverArtSizeLimit":0,"watchFolders":false,"parallelScanning":true}')
    t.match(done, { status: 'completed', added: 2, skipped: 0, failed: 0 })
    t.equal((await tracksByPath(pg)).get('A/Two.flac')?.has_cover, true, 'no cover limit: the cover is kept')
  })
})

t.test('a file over scanFileSizeLimit is skipped, not failed, and read by a later scan without the limit', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    const media = env.MEDIA_PATH as string
    const small = await writeAudioFixture(join(media, 'Album'), 'mp3', { tags: { title: 'Small' } })
    // 20 s of 16-bit stereo PCM: about 3.5 MB.
    const big = await writeAudioFixture(join(media, 'Album'), 'wav', { tags: { title: 'Big' }, seconds: 20 })
    const [smallSize, bigSize] = [(await stat(small)).size, (await stat(big)).size]
    const limit = Math.floor((smallSize + bigSize) / 2)
    t.ok(bigSize > limit && smallSize < limit)

    const first = await startWith(app, JSON.stringify({ scanFileSizeLimit: limit, coverArtSizeLimit: 0, watchFolders: false, parallelScanning: true }))
    t.match(first, { status: 'completed', filesSeen: 2, added: 1, skipped: 1, failed: 0 })
    t.same([...(await tracksByPath(pg)).keys()], ['Album/Small.mp3'], 'the big file is not indexed')
    t.match((await errorsOf(app, first.id)).get('Album/Big.wav'), /skipped: \d+ bytes is over the scan's file size limit/)

    const second = await startWith(app, '{"scanFileSizeLimit":0}')
    t.match(second, { status: 'completed', added: 1, skipped: 0, failed: 0 }, 'without the limit the big file is read')
    t.same([...(await tracksByPath(pg)).keys()], ['Album/Big.wav', 'Album/Small.mp3'])

    const third = await startWith(app, JSON.stringify({ scanFileSizeLimit: limit }))
    t.match(third, { status: 'completed', removed: 0, skipped: 0 }, 'an indexed file over the limit is kept as it is')
    t.equal((await tracksByPath(pg)).size, 2)
  })
})

t.test('coverArtSizeLimit: a larger embedded picture is not used, and the album falls back to the folder image', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    const media = env.MEDIA_PATH as string
    await writeAudioFixture(join(media, 'Embedded'), 'flac', { tags: { title: 'E', album: 'Embedded' }, cover: true })
    await writeAudioFixture(join(media, 'Folder'), 'flac', { tags: { title: 'F', album: 'Folder' }, cover: true })
    await mkdir(join(media, 'Folder'), { recursive: true })
    await copyFile(await coverImage(), join(media, 'Folder', 'cover.png'))
    const picture = (await stat(await coverImage())).size

    const done = await startWith(app, JSON.stringify({ coverArtSizeLimit: picture - 1, scanFileSizeLimit: 0, parallelScanning: false, watchFolders: false }))
    t.match(done, { status: 'completed', added: 2, failed: 0 })
    const rows = await tracksByPath(pg)
    t.equal(rows.get('Embedded/E.flac')?.has_cover, false, 'the picture is over the limit')
    t.equal(rows.get('Folder/F.flac')?.has_cover, false)
    const { rows: albums } = await pg.query<{ title: string, cover_source: string | null }>('SELECT title, cover_source FROM albums ORDER BY title')
    t.same(albums, [{ title: 'Embedded', cover_source: null }, { title: 'Folder', cover_source: 'file:Folder/cover.png' }])
    const tracks = (await app.inject('/api/library/tracks?sort=title')).json() as { tracks: Array<{ title: string, coverArt: string | null, hasEmbeddedCover: boolean }> }
    t.match(tracks.tracks, [{ title: 'E', coverArt: null, hasEmbeddedCover: false }, { title: 'F', coverArt: /^\/api\/cover\//, hasEmbeddedCover: false }])
    const albumId = ((await app.inject('/api/library/albums?sort=title')).json() as { albums: Array<{ id: string }> }).albums[0].id
    t.equal((await app.inject(`/api/cover/${albumId}`)).statusCode, 404, 'no cover is extracted for the album')

    // A limit the picture fits under keeps it (the file changed, so it is read again).
    await copyFile(join(media, 'Embedded', 'E.flac'), join(media, 'Embedded', 'E2.flac'))
    const again = await startWith(app, JSON.stringify({ coverArtSizeLimit: picture * 100 }))
    t.match(again, { status: 'completed', added: 1 })
    t.equal((await tracksByPath(pg)).get('Embedded/E2.flac')?.has_cover, true)
    t.equal((await app.inject(`/api/cover/${albumId}`)).statusCode, 200, 'the album now has the embedded picture')
  })
})

t.test('bad options are refused with the field named, and start nothing', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app } = await buildScanApp(t, { backend: v.backend })
    const cases: Array<[string, RegExp]> = [
      ['{"scanFileSizeLimit":"100"}', /body\/scanFileSizeLimit/],
      ['{"scanFileSizeLimit":-1}', /body\/scanFileSizeLimit/],
      ['{"scanFileSizeLimit":1.5}', /body\/scanFileSizeLimit/],
      ['{"scanFileSizeLimit":null}', /body\/scanFileSizeLimit/],
      ['{"coverArtSizeLimit":true}', /body\/coverArtSizeLimit/],
      ['{"coverArtSizeLimit":1e300}', /body\/coverArtSizeLimit/],
      ['{"parallelScanning":"false"}', /body\/parallelScanning/],
      ['{"parallelScanning":0}', /body\/parallelScanning/],
      ['{"watchFolders":"true"}', /body\/watchFolders/],
      ['{"watchFolders":[true]}', /body\/watchFolders/],
      ['{"force":true,"scanFileSizeLimit":0}', /unknown property 'force'/],
      ['{"force":true,"deep":1}', /unknown properties 'force', 'deep'/],
      ['[]', /^body: /],
      ['"scan"', /^body: /]
    ]
    for (const [payload, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/scan/start', headers: JSON_HEADERS, payload })
      t.equal(res.statusCode, 400, payload)
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message }, payload)
    }
    t.equal((await app.inject('/api/scan/status')).json().scan, null, 'no scan was started')
  })
})
