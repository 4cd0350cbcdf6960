import t from 'tap'
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, realpath, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse as parseDisposition } from 'content-disposition'
import { XMLParser } from 'fast-xml-parser'
import { subsonicLibrary, type SubsonicLibrary } from '../../fixtures/subsonic.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { addUser } from '../../fixtures/users.js'
import type { AlbumT, ArtistT, TrackT } from '../../../schemas/library.js'

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' })

async function tracksOf (lib: SubsonicLibrary): Promise<TrackT[]> {
  const res = await lib.app.inject({ url: '/api/library/tracks?limit=50', headers: lib.admin.headers })
  return (res.json() as { tracks: TrackT[] }).tracks
}

const byTitle = (tracks: TrackT[], title: string): TrackT => {
  const track = tracks.find((one) => one.title === title)
  if (track === undefined) throw new Error(`no track ${title}`)
  return track
}

// One request to /rest as bytes, with the headers a player adds (Range, validators).
async function rest (lib: SubsonicLibrary, method: 'GET' | 'HEAD', name: string, query: Record<string, string>, headers: Record<string, string> = {}) {
  return await lib.app.inject({ method, url: `/rest/${name}?${new URLSearchParams({ apiKey: lib.admin.key, ...query }).toString()}`, headers })
}

// What the error envelope says, in JSON and in XML.
async function errorCodes (lib: SubsonicLibrary, name: string, query: Record<string, string>): Promise<{ json: unknown, xml: unknown, statuses: number[] }> {
  const json = await rest(lib, 'GET', name, { ...query, f: 'json' })
  const asXml = await rest(lib, 'GET', name, query)
  return {
    json: (json.json() as { 'subsonic-response': { status: string, error: { code: number } } })['subsonic-response'],
    xml: (xml.parse(asXml.body) as { 'subsonic-response': unknown })['subsonic-response'],
    statuses: [json.statusCode, asXml.statusCode]
  }
}

t.test('stream and download', async (t) => {
  const lib = await subsonicLibrary(t)
  const tracks = await tracksOf(lib)
  const hunter = byTitle(tracks, 'Hunter')
  const joga = byTitle(tracks, 'Jóga')
  const onDisk = await readFile(join(lib.media, hunter.filePath))

  t.test('the original bytes unless a transcode is asked for', async (t) => {
    const res = await lib.client.stream({ id: hunter.id })
    t.equal(res.status, 200)
    t.equal(res.headers.get('content-type'), 'audio/mpeg')
    t.equal(res.headers.get('accept-ranges'), 'bytes')
    t.same(Buffer.from(await res.arrayBuffer()), onDisk)
    const raw = await lib.client.stream({ id: hunter.id, format: 'raw', maxBitRate: 0 })
    t.same(Buffer.from(await raw.arrayBuffer()), onDisk, 'format=raw is the file')
    const asked = await lib.client.stream({ id: hunter.id, format: 'ogg', maxBitRate: 96, estimateContentLength: true })
    t.equal(asked.status, 200)
    t.equal(asked.headers.get('content-type'), 'audio/ogg', 'Ogg is Opus in Ogg here')
    t.equal(asked.headers.get('accept-ranges'), 'none')
    const body = Buffer.from(await asked.arrayBuffer())
    t.equal(body.length, Number(asked.headers.get('content-length')), 'estimateContentLength holds the body to its length')
    t.equal(body.subarray(0, 4).toString('latin1'), 'OggS')
    const flac = await lib.client.stream({ id: joga.id })
    t.equal(flac.headers.get('content-type'), 'audio/flac')
    t.same(Buffer.from(await flac.arrayBuffer()), await readFile(join(lib.media, joga.filePath)))
  })

  t.test('byte ranges and validators as /api/stream', async (t) => {
    const part = await rest(lib, 'GET', 'stream.view', { id: hunter.id }, { range: 'bytes=0-99' })
    t.equal(part.statusCode, 206)
    t.equal(part.headers['content-range'], `bytes 0-99/${onDisk.length}`)
    t.same(part.rawPayload, onDisk.subarray(0, 100))
    const tail = await rest(lib, 'GET', 'stream', { id: hunter.id }, { range: 'bytes=-10' })
    t.same(tail.rawPayload, onDisk.subarray(onDisk.length - 10))
    const past = await rest(lib, 'GET', 'stream', { id: hunter.id }, { range: `bytes=${onDisk.length}-` })
    t.equal(past.statusCode, 416)
    t.equal(past.headers['content-range'], `bytes */${onDisk.length}`)
    const api = await lib.app.inject({ url: `/api/stream/${hunter.id}`, headers: lib.admin.headers })
    t.equal(part.headers.etag, api.headers.etag, 'the same validator as /api/stream')
    const again = await rest(lib, 'GET', 'stream', { id: hunter.id }, { 'if-none-match': api.headers.etag as string })
    t.equal(again.statusCode, 304)
    t.equal(again.rawPayload.length, 0)
  })

  t.test('HEAD answers the headers without a body', async (t) => {
    for (const name of ['stream', 'stream.view', 'download']) {
      const head = await rest(lib, 'HEAD', name, { id: hunter.id })
      t.equal(head.statusCode, 200, name)
      t.equal(head.headers['content-length'], String(onDisk.length), name)
      t.equal(head.headers['content-type'], 'audio/mpeg', name)
      t.equal(head.rawPayload.length, 0, name)
    }
    const range = await rest(lib, 'HEAD', 'stream', { id: hunter.id }, { range: 'bytes=10-19' })
    t.equal(range.statusCode, 206)
    t.equal(range.headers['content-length'], '10')
    t.equal(range.rawPayload.length, 0)
  })

  t.test('download names the file, non-ASCII names included', async (t) => {
    const res = await lib.client.download({ id: joga.id })
    t.equal(res.status, 200)
    const disposition = res.headers.get('content-disposition') ?? ''
    t.match(disposition, /^attachment; filename="2 J\?ga\.flac"; filename\*=UTF-8''2%20J%C3%B3ga\.flac$/)
    t.match(parseDisposition(disposition), { type: 'attachment', parameters: { filename: '2 Jóga.flac' } })
    t.same(Buffer.from(await res.arrayBuffer()), await readFile(join(lib.media, joga.filePath)))
    const part = await rest(lib, 'GET', 'download', { id: hunter.id }, { range: 'bytes=5-9' })
    t.equal(part.statusCode, 206)
    t.same(part.rawPayload, onDisk.subarray(5, 10))
    t.equal(part.headers['content-disposition'], 'attachment; filename="1 Hunter.mp3"')
    t.notOk((await lib.client.stream({ id: hunter.id })).headers.has('content-disposition'), 'stream is not a download')
  })

  t.test('an unknown, malformed or missing id is an envelope, not a 404', async (t) => {
    for (const name of ['stream', 'download']) {
      for (const id of [randomUUID(), 'nope', `${hunter.id}/../x`]) {
        const { json, xml, statuses } = await errorCodes(lib, name, { id })
        t.same(statuses, [200, 200], `${name} ${id}`)
        t.match(json, { status: 'failed', error: { code: 70, message: 'Song not found' } }, `${name} ${id}`)
        t.match(xml, { status: 'failed', error: { code: '70' } }, `${name} ${id}`)
      }
      t.match((await errorCodes(lib, name, {})).json, { status: 'failed', error: { code: 10 } }, `${name} without id`)
    }
    const viaClient = await lib.client.stream({ id: randomUUID() })
    t.equal(viaClient.status, 200)
    t.match(await viaClient.json(), { 'subsonic-response': { status: 'failed', error: { code: 70 } } })
    const head = await rest(lib, 'HEAD', 'stream', { id: randomUUID() })
    t.equal(head.statusCode, 200)
    t.equal(head.rawPayload.length, 0)
  })

  t.test('a file gone since the scan is not found', async (t) => {
    const gone = byTitle(tracks, 'Something')
    await rm(join(lib.media, gone.filePath))
    t.match((await errorCodes(lib, 'stream', { id: gone.id })).json, { status: 'failed', error: { code: 70 } })
  })

  t.test('streaming counts no play', async (t) => {
    const before = (await lib.app.inject({ url: `/api/library/tracks/${hunter.id}`, headers: lib.admin.headers })).json() as TrackT
    await lib.client.stream({ id: hunter.id })
    await lib.client.download({ id: hunter.id })
    const after = (await lib.app.inject({ url: `/api/library/tracks/${hunter.id}`, headers: lib.admin.headers })).json() as TrackT
    t.equal(after.playCount, before.playCount)
    t.equal(after.lastPlayed, before.lastPlayed)
  })

  t.test('a key is needed', async (t) => {
    const res = await lib.app.inject(`/rest/stream?id=${hunter.id}&f=json`)
    t.match(res.json(), { 'subsonic-response': { status: 'failed', error: { code: 10 } } })
  })
})

t.test('with STREAM_OFFLOAD=x-accel nginx sends the bytes, and the download keeps its name', async (t) => {
  const { app } = await buildScanApp(t, { env: { STREAM_OFFLOAD: 'x-accel' } })
  const media = await realpath(app.config.mediaPath)
  await mkdir(join(media, 'Sigur Rós'))
  await writeFile(join(media, 'Sigur Rós', 'Svefn-g-englar.flac'), 'BYTES')
  const id = await seedTrack(app.pg, { filePath: 'Sigur Rós/Svefn-g-englar.flac' })
  const admin = await addUser(app.pg, 'ana', 'admin')
  const res = await app.inject(`/rest/download?apiKey=${admin.key}&id=${id}`)
  t.equal(res.statusCode, 200)
  t.equal(res.headers['x-accel-redirect'], `${app.config.streamOffloadPrefix}Sigur%20R%C3%B3s/Svefn-g-englar.flac`)
  t.equal(res.headers['content-disposition'], 'attachment; filename=Svefn-g-englar.flac')
  t.equal(res.rawPayload.length, 0)
  const stream = await app.inject(`/rest/stream?apiKey=${admin.key}&id=${id}`)
  t.equal(stream.headers['x-accel-redirect'], res.headers['x-accel-redirect'])
  t.equal(stream.headers['content-disposition'], undefined)
})

t.test('getCoverArt', async (t) => {
  const lib = await subsonicLibrary(t)
  const tracks = await tracksOf(lib)
  const albums = ((await lib.app.inject({ url: '/api/library/albums', headers: lib.admin.headers })).json() as { albums: AlbumT[] }).albums
  const artists = ((await lib.app.inject({ url: '/api/library/artists', headers: lib.admin.headers })).json() as { artists: ArtistT[] }).artists
  const abbey = albums.find((album) => album.title === 'Abbey Road') as AlbumT
  const bjork = artists.find((artist) => artist.name === 'Björk') as ArtistT
  const hunter = byTitle(tracks, 'Hunter')
  const cover = async (albumId: string, size?: number) => await lib.app.inject({ url: `/api/cover/${albumId}${size === undefined ? '' : `?size=${size}`}`, headers: lib.admin.headers })
  const abbeyCover = await cover(abbey.id)
  t.equal(abbeyCover.statusCode, 200)

  t.test('album, track and artist ids, bare or prefixed', async (t) => {
    const res = await lib.client.getCoverArt({ id: abbey.id })
    t.equal(res.status, 200)
    t.match(res.headers.get('content-type'), /^image\//)
    t.equal(res.headers.get('etag'), abbeyCover.headers.etag)
    t.equal(res.headers.get('cache-control'), 'private, max-age=86400')
    t.same(Buffer.from(await res.arrayBuffer()), abbeyCover.rawPayload)

    const homogenic = await cover(hunter.albumId)
    const expected: Array<[string, string]> = [
      [hunter.id, 'a track: its album'],
      [bjork.id, 'an artist: the album the library picked'],
      [`al-${hunter.albumId}`, 'Navidrome album id'],
      [`al-${hunter.albumId}_65a1b2c3`, 'Navidrome album id with its version'],
      [`mf-${hunter.id}`, 'Navidrome track id'],
      [`ar-${bjork.id}_0`, 'Navidrome artist id'],
      [hunter.albumId.toUpperCase(), 'upper-case UUID']
    ]
    t.equal(bjork.imageUrl, `/api/cover/${hunter.albumId}`)
    for (const [id, what] of expected) {
      const one = await lib.client.getCoverArt({ id })
      t.equal(one.status, 200, what)
      t.equal(one.headers.get('etag'), homogenic.headers.etag, what)
      t.same(Buffer.from(await one.arrayBuffer()), homogenic.rawPayload, what)
    }
  })

  t.test('size: the nearest step at least as large, the original above the last', async (t) => {
    const steps: Array<[number, number | undefined]> = [[1, 64], [100, 128], [128, 128], [600, 1024], [1024, 1024], [1025, undefined], [5000, undefined]]
    for (const [asked, step] of steps) {
      const res = await rest(lib, 'GET', 'getCoverArt', { id: abbey.id, size: String(asked) })
      const api = await cover(abbey.id, step)
      t.equal(res.statusCode, 200, `size ${asked}`)
      t.equal(res.headers.etag, api.headers.etag, `size ${asked} is ${step ?? 'the original'}`)
      t.same(res.rawPayload, api.rawPayload)
    }
    t.match((await errorCodes(lib, 'getCoverArt', { id: abbey.id, size: 'big' })).json, { status: 'failed', error: { code: 0 } })
  })

  t.test('ETag revalidation', async (t) => {
    const first = await rest(lib, 'GET', 'getCoverArt.view', { id: abbey.id, size: '256' })
    const again = await rest(lib, 'GET', 'getCoverArt.view', { id: abbey.id, size: '256' }, { 'if-none-match': first.headers.etag as string })
    t.equal(again.statusCode, 304)
    t.equal(again.rawPayload.length, 0)
    t.equal(again.headers.etag, first.headers.etag)
  })

  t.test('nothing to show is not found', async (t) => {
    for (const id of [randomUUID(), 'nope', `pl-${abbey.id}`, `al-${randomUUID()}`, `mf-${abbey.id}`, 'al-', '']) {
      const { json, xml, statuses } = await errorCodes(lib, 'getCoverArt', { id })
      t.same(statuses, [200, 200], id)
      t.match(json, { status: 'failed', error: { code: id === '' ? 10 : 70 } }, id)
      t.match(xml, { status: 'failed', error: { code: id === '' ? '10' : '70' } }, id)
    }
  })
})

t.test('lyrics', async (t) => {
  const lib = await subsonicLibrary(t)
  // Lyrics tags as ffmpeg writes them: plain text in an MP3, timed LRC text in a FLAC.
  const songs = join(lib.media, 'Lyricists', 'Songs')
  const tags = (title: string, track: string, extra: Record<string, string>) => ({ title, artist: 'Lyricists', album: 'Songs', track, extra })
  await writeAudioFixture(songs, 'mp3', { name: '1 Plain', seconds: 1, tags: tags('Plain Song', '1', { lyrics: 'first line\nsecond line' }) })
  await writeAudioFixture(songs, 'flac', { name: '2 Timed', seconds: 1, tags: tags('Timed Song', '2', { LYRICS: '[la:eng]\n[00:00.50]hello\n[00:01.25]world' }) })
  await scan(lib.app, lib.admin.headers)
  const tracks = await tracksOf(lib)
  const plain = byTitle(tracks, 'Plain Song')
  const timed = byTitle(tracks, 'Timed Song')
  const hunter = byTitle(tracks, 'Hunter')
  // A sidecar .lrc added after the scan: lyrics are read when asked for.
  await writeFile(join(lib.media, hunter.filePath.replace(/\.mp3$/, '.lrc')),
    '[ar:Björk & co]\n[ti:Hunter (live)]\n[offset:+250]\n[00:01.00]I thought I could organise freedom\n[00:03.50]How Scandinavian of me')

  type LyricsList = { lyricsList: { structuredLyrics: unknown[] } }
  const structured = async (id: string): Promise<unknown[]> =>
    ((await lib.client.getLyricsBySongId({ id })) as unknown as LyricsList).lyricsList.structuredLyrics

  t.test('getLyricsBySongId: embedded plain, embedded synced, sidecar synced with its offset', async (t) => {
    t.same(await structured(plain.id), [
      { displayArtist: 'Lyricists', displayTitle: 'Plain Song', lang: 'xxx', synced: false, line: [{ value: 'first line' }, { value: 'second line' }] }
    ])
    t.same(await structured(timed.id), [
      { displayArtist: 'Lyricists', displayTitle: 'Timed Song', lang: 'eng', synced: true, line: [{ start: 500, value: 'hello' }, { start: 1250, value: 'world' }] }
    ])
    t.same(await structured(hunter.id), [{
      displayArtist: 'Björk & co',
      displayTitle: 'Hunter (live)',
      lang: 'xxx',
      synced: true,
      offset: 250,
      line: [{ start: 1000, value: 'I thought I could organise freedom' }, { start: 3500, value: 'How Scandinavian of me' }]
    }])
    t.same(await structured(byTitle(tracks, 'Jóga').id), [], 'no lyrics: an empty list')
  })

  t.test('getLyricsBySongId in XML: lines as element text', async (t) => {
    const res = await lib.raw('getLyricsBySongId', { apiKey: lib.admin.key, id: timed.id })
    t.match(res.body, /<lyricsList><structuredLyrics displayArtist="Lyricists" displayTitle="Timed Song" lang="eng" synced="true"><line start="500">hello<\/line><line start="1250">world<\/line><\/structuredLyrics><\/lyricsList>/)
    const none = await lib.raw('getLyricsBySongId', { apiKey: lib.admin.key, id: byTitle(tracks, 'Jóga').id, f: 'json' })
    t.match(JSON.parse(none.body), { 'subsonic-response': { status: 'ok', lyricsList: { structuredLyrics: [] } } })
  })

  t.test('getLyricsBySongId: unknown, malformed or missing id', async (t) => {
    for (const id of [randomUUID(), 'nope']) {
      const { json, xml } = await errorCodes(lib, 'getLyricsBySongId', { id })
      t.match(json, { status: 'failed', error: { code: 70 } }, id)
      t.match(xml, { status: 'failed', error: { code: '70' } }, id)
    }
    t.match((await errorCodes(lib, 'getLyricsBySongId', {})).json, { status: 'failed', error: { code: 10 } })
  })

  t.test('getLyrics: by artist and title, case aside, as one plain text', async (t) => {
    t.same((await lib.client.getLyrics({ artist: 'lyricists', title: 'PLAIN SONG' })).lyrics,
      { artist: 'Lyricists', title: 'Plain Song', value: 'first line\nsecond line' })
    t.same((await lib.client.getLyrics({ artist: 'Lyricists', title: 'Timed Song' })).lyrics,
      { artist: 'Lyricists', title: 'Timed Song', value: 'hello\nworld' }, 'synced lyrics without their times')
    t.same((await lib.client.getLyrics({ artist: 'Björk', title: 'Hunter' })).lyrics,
      { artist: 'Björk', title: 'Hunter', value: 'I thought I could organise freedom\nHow Scandinavian of me' })
    t.same((await lib.client.getLyrics({ title: 'timed song' })).lyrics.title, 'Timed Song', 'the title alone')
    const xml = await lib.raw('getLyrics', { apiKey: lib.admin.key, artist: 'Lyricists', title: 'Plain Song' })
    t.match(xml.body, /<lyrics artist="Lyricists" title="Plain Song">first line\nsecond line<\/lyrics>/)
  })

  t.test('getLyrics: nothing found is an empty lyrics element', async (t) => {
    for (const query of [{ artist: 'Lyricists', title: 'Plain' }, { artist: 'Nobody', title: 'Plain Song' }, { artist: 'Björk', title: 'Jóga' }, {}]) {
      t.same((await lib.client.getLyrics(query)).lyrics, {}, JSON.stringify(query))
    }
    const xml = await lib.raw('getLyrics', { apiKey: lib.admin.key, title: 'nothing like it' })
    t.match(xml.body, /<lyrics\/>/)
  })

  t.test('a file gone since the scan has no lyrics', async (t) => {
    await rm(join(lib.media, plain.filePath))
    t.same(await structured(plain.id), [])
    t.same((await lib.client.getLyrics({ artist: 'Lyricists', title: 'Plain Song' })).lyrics, {})
  })
})
