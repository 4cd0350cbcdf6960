import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdir, readFile, readdir, symlink, utimes, writeFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import sharp from 'sharp'
import { build, tempDir } from '../helper.js'
import { seedLibrary, albumKey } from '../fixtures/seed-library.js'

const run = promisify(execFile)

async function ffmpeg (...args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args])
}

// A real mp3 carrying a real PNG as its front cover, and a JPEG beside another album.
async function makeMedia (media: string): Promise<{ png: Buffer, jpg: Buffer }> {
  const work = join(media, '.work')
  await mkdir(join(media, 'Embedded'), { recursive: true })
  await mkdir(join(media, 'Folder'), { recursive: true })
  await mkdir(work, { recursive: true })
  await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libmp3lame', '-b:a', '64k', join(work, 'plain.mp3'))
  await ffmpeg('-f', 'lavfi', '-i', 'color=c=red:s=300x200', '-frames:v', '1', join(work, 'cover.png'))
  await ffmpeg('-i', join(work, 'plain.mp3'), '-i', join(work, 'cover.png'), '-map', '0', '-map', '1', '-c', 'copy',
    '-id3v2_version', '3', '-metadata:s:v', 'comment=Cover (front)', join(media, 'Embedded', '01.mp3'))
  await ffmpeg('-f', 'lavfi', '-i', 'color=c=blue:s=120x120', '-frames:v', '1', join(media, 'Folder', 'cover.jpg'))
  await ffmpeg('-i', join(work, 'plain.mp3'), '-c', 'copy', join(media, 'Folder', '01.mp3'))
  return { png: await readFile(join(work, 'cover.png')), jpg: await readFile(join(media, 'Folder', 'cover.jpg')) }
}

t.test('cover art', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  const outside = await tempDir(t, 'sonantica-outside-')
  const images = await makeMedia(media)
  await writeFile(join(outside, 'secret.jpg'), images.jpg)
  await symlink(join(outside, 'secret.jpg'), join(media, 'Folder', 'link.jpg'))
  await readFile(join(media, `../${basename(outside)}/secret.jpg`)) // the escape below would reach a real file
  const app = await build(t, { mediaPath: media })
  const seeded = await seedLibrary(app.pg, [
    { path: 'Embedded/01.mp3', title: 'A', artist: 'Embedder', album: 'Embedded', coverSource: 'embedded:Embedded/01.mp3' },
    { path: 'Folder/01.mp3', title: 'B', artist: 'Folder Fan', album: 'Folder', coverSource: 'file:Folder/cover.jpg' },
    { path: 'None/01.mp3', title: 'C', artist: 'Plain', album: 'None', coverSource: null },
    { path: 'Gone/01.mp3', title: 'D', artist: 'Plain', album: 'Gone', coverSource: 'file:Gone/cover.jpg' },
    { path: 'Escape/01.mp3', title: 'E', artist: 'Plain', album: 'Escape', coverSource: `file:../${basename(outside)}/secret.jpg` },
    { path: 'Link/01.mp3', title: 'F', artist: 'Plain', album: 'Link', coverSource: 'file:Folder/link.jpg' },
    { path: 'Bare/01.mp3', title: 'G', artist: 'Plain', album: 'Bare', coverSource: 'embedded:Folder/01.mp3' }
  ])
  const id = (artist: string, album: string): string => seeded.albumIds.get(albumKey(artist, album)) as string
  const embedded = id('Embedder', 'Embedded')
  const folder = id('Folder Fan', 'Folder')

  await t.test('embedded picture, with caching headers and revalidation', async (t) => {
    const res = await app.inject(`/api/cover/${embedded}`)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'image/png')
    t.equal(res.headers['cache-control'], 'public, max-age=86400')
    t.ok(Buffer.compare(res.rawPayload, images.png) === 0, 'the embedded bytes, unchanged')
    const etag = res.headers.etag as string
    t.match(etag, /^"[^"]+"$/)

    const again = await app.inject({ url: `/api/cover/${embedded}`, headers: { 'if-none-match': etag } })
    t.equal(again.statusCode, 304)
    t.equal(again.rawPayload.length, 0)
    t.equal(again.headers.etag, etag)
    const stale = await app.inject({ url: `/api/cover/${embedded}`, headers: { 'if-none-match': '"something-else"' } })
    t.equal(stale.statusCode, 200)

    const cached = await readdir(join(app.config.dataDir, 'covers', embedded))
    t.equal(cached.length, 1, 'extracted once into the cover cache')

    const head = await app.inject({ method: 'HEAD', url: `/api/cover/${embedded}` })
    t.equal(head.statusCode, 200)
    t.equal(head.headers.etag, etag)
  })

  await t.test('folder image', async (t) => {
    const res = await app.inject(`/api/cover/${folder}`)
    t.equal(res.statusCode, 200)
    t.equal(res.headers['content-type'], 'image/jpeg')
    t.ok(Buffer.compare(res.rawPayload, images.jpg) === 0)
  })

  await t.test('a changed source file gives a new cover and a new ETag', async (t) => {
    const before = await app.inject(`/api/cover/${folder}`)
    await ffmpeg('-f', 'lavfi', '-i', 'color=c=green:s=80x80', '-frames:v', '1', join(media, 'Folder', 'cover.jpg'))
    const later = new Date(Date.now() + 5000)
    await utimes(join(media, 'Folder', 'cover.jpg'), later, later)
    const after = await app.inject(`/api/cover/${folder}`)
    t.equal(after.statusCode, 200)
    t.not(after.headers.etag, before.headers.etag)
    t.equal((await sharp(after.rawPayload).metadata()).width, 80, 'the new picture')
    const revalidate = await app.inject({ url: `/api/cover/${folder}`, headers: { 'if-none-match': before.headers.etag as string } })
    t.equal(revalidate.statusCode, 200, 'the old ETag no longer matches')
  })

  await t.test('resized on request, cached per size', async (t) => {
    const small = await app.inject(`/api/cover/${embedded}?size=64`)
    t.equal(small.statusCode, 200)
    t.equal(small.headers['content-type'], 'image/png')
    const meta = await sharp(small.rawPayload).metadata()
    t.same([meta.width, meta.height], [64, 43], 'fits inside 64x64, aspect kept')
    const full = await app.inject(`/api/cover/${embedded}`)
    t.not(small.headers.etag, full.headers.etag, 'each size has its own ETag')
    const big = await app.inject(`/api/cover/${embedded}?size=2048`)
    t.equal((await sharp(big.rawPayload).metadata()).width, 300, 'never enlarged')
    const jpg = await app.inject(`/api/cover/${folder}?size=32`)
    t.equal(jpg.headers['content-type'], 'image/jpeg')
    t.equal((await sharp(jpg.rawPayload).metadata()).width, 64, 'rounded up to the 64 step')
    t.equal((await app.inject({ url: `/api/cover/${embedded}?size=64`, headers: { 'if-none-match': small.headers.etag as string } })).statusCode, 304)
    t.equal(big.headers.etag, full.headers.etag, 'above the last step, the original')
    t.equal((await readdir(join(app.config.dataDir, 'covers', embedded))).length, 2, 'one cached file per size step')
  })

  await t.test('no cover: 404 JSON', async (t) => {
    const cases: Array<[string, RegExp]> = [
      [id('Plain', 'None'), /has no cover art/],
      [id('Plain', 'Gone'), /has no cover art/],
      [id('Plain', 'Escape'), /has no cover art/],
      [id('Plain', 'Link'), /has no cover art/],
      [id('Plain', 'Bare'), /has no cover art/],
      ['00000000-0000-4000-8000-000000000000', /Album 00000000-0000-4000-8000-000000000000 not found/]
    ]
    for (const [albumId, message] of cases) {
      const res = await app.inject(`/api/cover/${albumId}`)
      t.equal(res.statusCode, 404, albumId)
      t.match(res.headers['content-type'], /application\/json/)
      t.match(res.json(), { statusCode: 404, error: 'Not Found', message })
    }
  })

  await t.test('bad input: 400', async (t) => {
    for (const [url, message] of [
      ['/api/cover/not-a-uuid', /params\/albumId must match format "uuid"/],
      [`/api/cover/${embedded}?size=4`, /querystring\/size must be >= 16/],
      [`/api/cover/${embedded}?size=99999`, /querystring\/size must be <= 2048/],
      [`/api/cover/${embedded}?size=big`, /querystring\/size must be integer/]
    ] as const) {
      const res = await app.inject(url)
      t.equal(res.statusCode, 400, url)
      t.match(res.json().message, message)
    }
  })
})

// A shared cache (a proxy, a CDN) must not keep a cover that took a key to fetch.
t.test('with API_KEY set, covers are sent Cache-Control: private', async (t) => {
  for (const mediaAccess of ['key', 'open']) {
    const media = await tempDir(t, 'sonantica-media-')
    await makeMedia(media)
    const app = await build(t, { mediaPath: media, env: { API_KEY: 'cover-key', MEDIA_ACCESS: mediaAccess } })
    const seeded = await seedLibrary(app.pg, [
      { path: 'Embedded/01.mp3', title: 'A', artist: 'Embedder', album: 'Embedded', coverSource: 'embedded:Embedded/01.mp3' }
    ])
    const id = seeded.albumIds.get(albumKey('Embedder', 'Embedded')) as string
    const res = await app.inject({ url: `/api/cover/${id}`, headers: { authorization: 'Bearer cover-key' } })
    t.equal(res.statusCode, 200)
    t.equal(res.headers['cache-control'], 'private, max-age=86400', `MEDIA_ACCESS=${mediaAccess}`)
    const revalidated = await app.inject({ url: `/api/cover/${id}`, headers: { authorization: 'Bearer cover-key', 'if-none-match': res.headers.etag as string } })
    t.equal(revalidated.statusCode, 304)
    t.equal(revalidated.headers['cache-control'], 'private, max-age=86400', 'on a 304 as well')
  }
})
