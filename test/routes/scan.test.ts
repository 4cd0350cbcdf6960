import t from 'tap'
import { mkdir, readFile, rename, rm, writeFile, appendFile } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir } from '../helper.js'
import { writeAudioFixture, writeVideoOnlyFixture, touch, type AudioFormat } from '../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath, waitForScan as waitForScanId } from '../fixtures/scan.js'
import { OWNER_ID } from '../../lib/users/caller.js'

const ALBUM = { artist: 'Sigur Rós', albumArtist: 'Sigur Rós', album: 'Ágætis byrjun', date: '1999-06-12', genre: 'Post-rock; Ambient' }

t.test('first scan indexes every format with its tags', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  const formats: AudioFormat[] = ['mp3', 'flac', 'ogg', 'opus', 'm4a', 'alac', 'wav', 'aiff', 'wma', 'wv']
  const dir = join(media, 'Sigur Rós', 'Ágætis byrjun')
  for (const [i, format] of formats.entries()) {
    await writeAudioFixture(dir, format, {
      name: `${String(i + 1).padStart(2, '0')} ${format}${format === 'alac' ? '-alac' : ''}`,
      cover: format === 'flac',
      tags: { ...ALBUM, title: `Svefn-g-englar ${format} ☃`, track: `${i + 1}/${formats.length}`, disc: '1/1', extra: format === 'flac' ? { MUSICBRAINZ_ALBUMID: 'f2b3c1d0-0000-4000-8000-000000000001', MUSICBRAINZ_TRACKID: 'f2b3c1d0-0000-4000-8000-000000000002', MUSICBRAINZ_RELEASETRACKID: 'f2b3c1d0-0000-4000-8000-000000000003', REPLAYGAIN_TRACK_GAIN: '-6.50 dB', REPLAYGAIN_TRACK_PEAK: '0.988', REPLAYGAIN_ALBUM_GAIN: '-7.00 dB', REPLAYGAIN_ALBUM_PEAK: '1.0' } : {} }
    })
  }
  // Not audio, hidden, and video-only files.
  await writeFile(join(dir, 'notes.txt'), 'liner notes')
  await writeAudioFixture(join(media, '.hidden'), 'mp3', { tags: { title: 'Hidden' } })
  await writeAudioFixture(media, 'mp3', { name: '.dotfile', tags: { title: 'Dot' } })
  await writeVideoOnlyFixture(media, 'clip')

  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg } = await buildScanApp(t, { backend: v.backend, redis: v.redis, mediaPath: media })
    const done = await scan(app)
    t.equal(done.status, 'completed')
    t.equal(done.filesSeen, formats.length + 1, 'every audio file and the video, nothing hidden or non-audio')
    t.equal(done.added, formats.length)
    t.equal(done.skipped, 1, 'the video-only file is skipped')
    t.equal(done.failed, 0)

    const rows = await tracksByPath(pg)
    t.equal(rows.size, formats.length)
    const flac = rows.get('Sigur Rós/Ágætis byrjun/02 flac.flac')
    t.ok(flac, 'paths are library-relative and keep their Unicode')
    t.match(flac, {
      title: 'Svefn-g-englar flac ☃',
      artist: 'Sigur Rós',
      album: 'Ágætis byrjun',
      album_artist: 'Sigur Rós',
      track_number: 2,
      track_total: formats.length,
      disc_number: 1,
      year: 1999,
      genres: ['Post-rock', 'Ambient'],
      container: 'FLAC',
      codec: 'FLAC',
      sample_rate: 44100,
      channels: 2,
      bits_per_sample: 16,
      lossless: true,
      has_cover: true,
      mb_album_id: 'f2b3c1d0-0000-4000-8000-000000000001',
      mb_recording_id: 'f2b3c1d0-0000-4000-8000-000000000002',
      mb_track_id: 'f2b3c1d0-0000-4000-8000-000000000003',
      replaygain_track_gain: -6.5,
      replaygain_track_peak: 0.988,
      replaygain_album_gain: -7
    })
    t.ok(Math.abs((flac?.duration as number) - 1) < 0.05, 'duration in seconds')
    const mp3 = rows.get('Sigur Rós/Ágætis byrjun/01 mp3.mp3')
    t.match(mp3, { codec: 'MPEG 1 Layer 3', container: 'MPEG', lossless: false, bitrate: 64000, title: 'Svefn-g-englar mp3 ☃' })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/06 alac-alac.m4a'), { codec: 'ALAC', lossless: true })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/05 m4a.m4a'), { codec: 'MPEG-4/AAC', lossless: false })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/04 opus.opus'), { codec: 'Opus', sample_rate: 48000 })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/09 wma.wma'), { container: 'ASF/audio' })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/10 wv.wv'), { container: 'WavPack', lossless: true })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/08 aiff.aiff'), { container: 'AIFF', title: 'Svefn-g-englar aiff ☃' })
    t.match(rows.get('Sigur Rós/Ágætis byrjun/07 wav.wav'), { container: 'WAVE', title: 'Svefn-g-englar wav ☃', artist: 'Sigur Rós' }, 'UTF-8 in RIFF INFO survives')

    const { rows: artists } = await pg.query('SELECT name, name_key FROM artists')
    t.same(artists, [{ name: 'Sigur Rós', name_key: 'sigur ros' }], 'one artist, accent-folded key')
    const { rows: albums } = await pg.query('SELECT title, album_artist, year, cover_source, mb_album_id FROM albums ORDER BY mb_album_id NULLS LAST')
    // The FLAC carries a MusicBrainz album id, so it forms its own album.
    t.equal(albums.length, 2)
    t.match(albums[0], { title: 'Ágætis byrjun', year: 1999, cover_source: 'embedded:Sigur Rós/Ágætis byrjun/02 flac.flac' })
    t.match(albums[1], { title: 'Ágætis byrjun', album_artist: 'Sigur Rós', year: 1999, cover_source: null })

    const byId = await app.inject(`/api/scans/${done.id}`)
    t.equal(byId.statusCode, 200)
    t.same(byId.json().errors, [{ path: 'clip.mp4', message: 'skipped: no audio stream (video only)' }])
  })
})

t.test('rescans: unchanged files stay, changes update in place, removals and renames', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, queue, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis, env: { ANALYSIS: 'on' } })
    const media = env.MEDIA_PATH as string
    const a = await writeAudioFixture(join(media, 'A', 'One'), 'mp3', { tags: { title: 'Keep', artist: 'A', album: 'One', track: '1' } })
    const b = await writeAudioFixture(join(media, 'A', 'One'), 'flac', { tags: { title: 'Change', artist: 'A', album: 'One', track: '2' } })
    await writeAudioFixture(join(media, 'B', 'Two'), 'ogg', { tags: { title: 'Gone', artist: 'B', album: 'Two' } })
    await writeAudioFixture(join(media, 'C'), 'opus', { tags: { title: 'Moved', artist: 'C', album: 'Three' } })

    const first = await scan(app)
    t.match(first, { status: 'completed', added: 4, updated: 0, removed: 0 })
    const analysis = await queue.waiting<{ trackId: string, path: string, root: string }>('analysis')
    t.equal(analysis.length, 4, 'every new track is published for analysis')
    t.match(analysis[0], { trackId: /^[0-9a-f-]{36}$/, path: /\.(mp3|flac|ogg|opus)$/, root: media })

    const before = await tracksByPath(pg)
    const changed = before.get('A/One/Change.flac') as Record<string, unknown>
    await pg.query('UPDATE tracks SET analysis = $2 WHERE id = $1', [changed.id, JSON.stringify({ bpm: 120 })])
    await pg.query('INSERT INTO user_track_state (user_id, track_id, play_count, is_favorite) VALUES ($1, $2, 7, true)', [OWNER_ID, changed.id])

    const second = await scan(app)
    t.match(second, { status: 'completed', filesSeen: 4, added: 0, updated: 0, removed: 0 }, 'nothing changed, nothing written')
    t.equal((await queue.waiting('analysis')).length, 4, 'unchanged files are not re-published')

    // Change b's tags (new content, new mtime), remove one, rename one.
    await writeAudioFixture(join(media, 'A', 'One'), 'flac', { name: 'Change', tags: { title: 'Changed Title', artist: 'A', album: 'One', track: '2' } })
    await touch(b, new Date(Date.now() + 5000))
    await rm(join(media, 'B'), { recursive: true })
    await mkdir(join(media, 'D'))
    await rename(join(media, 'C', 'Moved.opus'), join(media, 'D', 'Moved.opus'))

    const third = await scan(app)
    // The move is an update of the same track (its file is gone from the old path), not an add and a removal.
    t.match(third, { status: 'completed', filesSeen: 3, added: 0, updated: 2, removed: 1 })
    const after = await tracksByPath(pg)
    t.same([...after.keys()], ['A/One/Change.flac', 'A/One/Keep.mp3', 'D/Moved.opus'])
    const updated = after.get('A/One/Change.flac') as Record<string, unknown>
    t.equal(updated.id, changed.id, 'a changed file keeps its id')
    t.equal(updated.title, 'Changed Title')
    const { rows: [state] } = await pg.query('SELECT play_count, is_favorite FROM user_track_state WHERE track_id = $1', [updated.id])
    t.match(state, { play_count: 7, is_favorite: true }, 'play count and favourite survive (the id names them)')
    t.same(updated.analysis, { bpm: 120 }, 'analysis survives')
    t.equal(String(updated.added_at), String(changed.added_at))
    t.equal((after.get('A/One/Keep.mp3') as Record<string, unknown>).id, (before.get(a.slice(media.length + 1)) as Record<string, unknown>).id)
    t.equal((after.get('D/Moved.opus') as Record<string, unknown>).id, (before.get('C/Moved.opus') as Record<string, unknown>).id, 'a moved file keeps its id')
    // The retag and the move replaced their tracks' waiting jobs: still one job per track.
    const jobs = await queue.waiting<{ trackId: string, path: string }>('analysis')
    t.equal(jobs.length, 4, 'one waiting job per track published')
    t.equal(new Set(jobs.map((j) => j.trackId)).size, 4)
    t.same(jobs.filter((j) => j.trackId === updated.id).map((j) => j.path), ['A/One/Change.flac'], 'the retagged track: one job')
    t.same(jobs.filter((j) => j.trackId === (after.get('D/Moved.opus') as Record<string, unknown>).id).map((j) => j.path), ['D/Moved.opus'], 'the moved track: one job, at its new path')

    const { rows: artists } = await pg.query('SELECT name FROM artists ORDER BY name')
    t.same(artists.map((r: { name: string }) => r.name), ['A', 'C'], 'artists left without tracks are removed')
    const { rows: albums } = await pg.query('SELECT title FROM albums ORDER BY title')
    t.same(albums.map((r: { title: string }) => r.title), ['One', 'Three'])

    const status = await app.inject('/api/scan/status')
    t.equal(status.statusCode, 200)
    t.match(status.json(), {
      isScanning: false,
      scan: { id: third.id, status: 'completed' },
      progress: { phase: 'complete', percentage: 100, currentFile: null, estimatedTimeRemaining: null },
      stats: { tracks: 3, artists: 2, albums: 2 }
    })
  })
})

t.test('a missing or empty media root aborts the scan and removes nothing', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend })
    const media = env.MEDIA_PATH as string
    await writeAudioFixture(join(media, 'X'), 'mp3', { tags: { title: 'Precious' } })
    t.match(await scan(app), { status: 'completed', added: 1 })

    await rename(media, `${media}-unmounted`)
    t.after(() => rm(`${media}-unmounted`, { recursive: true, force: true }))
    const missing = await scan(app)
    t.equal(missing.status, 'aborted')
    t.match(missing.error, /missing or unreadable.*nothing was removed/)
    t.equal((await tracksByPath(pg)).size, 1)

    await mkdir(media)
    const empty = await scan(app)
    t.equal(empty.status, 'aborted')
    t.match(empty.error, /no audio files found/)
    t.equal((await tracksByPath(pg)).size, 1, 'the library is untouched')
    t.match((await app.inject('/api/scan/status')).json(), { isScanning: false, scan: { status: 'aborted' }, progress: { phase: 'error' } })
  })
})

t.test('corrupt files are recorded and the scan goes on; APE and DSF count as audio', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend })
    const media = env.MEDIA_PATH as string
    await writeAudioFixture(media, 'flac', { tags: { title: 'Fine' } })
    await writeFile(join(media, 'garbage.mp3'), Buffer.alloc(4096, 7))
    await writeFile(join(media, 'truncated.flac'), Buffer.from('fLaC\0\0\0\x22'))
    await writeFile(join(media, 'unknown.ape'), Buffer.from('not really monkey audio'))
    await writeFile(join(media, 'UPPER.DSF'), Buffer.from('DSD \x1c\0\0\0'))
    const done = await scan(app)
    t.match(done, { status: 'completed', filesSeen: 5, added: 1, failed: 4 })
    t.same([...(await tracksByPath(pg)).keys()], ['Fine.flac'])
    const errors = (await app.inject(`/api/scans/${done.id}`)).json().errors as Array<{ path: string, message: string }>
    t.same(errors.map((e) => e.path).sort(), ['UPPER.DSF', 'garbage.mp3', 'truncated.flac', 'unknown.ape'])
    t.ok(errors.every((e) => e.message.length > 0), 'each error says why')
  })
})

t.test('a file that could not be indexed is not read again until it changes, and is still reported', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend })
    const media = env.MEDIA_PATH as string
    const good = await writeAudioFixture(media, 'mp3', { name: 'good', tags: { title: 'Good' } })
    const goodBytes = await readFile(good)
    // Garbage exactly as long as a valid MP3: swapped for the real thing later, size unchanged.
    const swapped = join(media, 'swapped.mp3')
    await writeFile(swapped, Buffer.alloc(goodBytes.length, 7))
    // Whole seconds: utimes takes seconds as a double, so a millisecond part may not survive it.
    const mtime = new Date('2024-01-02T03:04:05Z')
    await touch(swapped, mtime)
    await writeFile(join(media, 'truncated.flac'), Buffer.from('fLaC\0\0\0\x22'))
    await writeFile(join(media, 'gone.mp3'), Buffer.alloc(1000, 9))
    await writeVideoOnlyFixture(media, 'clip')
    const errorsOf = async (id: string): Promise<Map<string, string>> => {
      const body = (await app.inject(`/api/scans/${id}`)).json() as { errors: Array<{ path: string, message: string }> }
      return new Map(body.errors.map((e) => [e.path, e.message]))
    }
    const remembered = async (): Promise<string[]> =>
      (await pg.query('SELECT path FROM unindexed_files ORDER BY path')).rows.map((r: { path: string }) => r.path)

    const first = await scan(app)
    t.match(first, { status: 'completed', filesSeen: 5, added: 1, failed: 3, skipped: 1 })
    const firstErrors = await errorsOf(first.id)
    t.same([...firstErrors.keys()].sort(), ['clip.mp4', 'gone.mp3', 'swapped.mp3', 'truncated.flac'])
    t.same(await remembered(), ['clip.mp4', 'gone.mp3', 'swapped.mp3', 'truncated.flac'], 'each is kept with its size and mtime')

    // Valid audio now, but with the size and mtime the garbage had: a scan that read it would index it.
    await writeFile(swapped, goodBytes)
    await touch(swapped, mtime)
    await rm(join(media, 'gone.mp3'))
    const second = await scan(app)
    t.match(second, { status: 'completed', filesSeen: 4, added: 0, updated: 0, failed: 2, skipped: 1 }, 'still counted as failed and skipped')
    const secondErrors = await errorsOf(second.id)
    t.same([...secondErrors.keys()].sort(), ['clip.mp4', 'swapped.mp3', 'truncated.flac'], 'and listed in this scan\'s errors')
    for (const path of ['clip.mp4', 'swapped.mp3', 'truncated.flac']) {
      t.equal(secondErrors.get(path), `${firstErrors.get(path) as string} (unchanged since it could not be indexed; not read again)`, `${path}: the first reason, marked as not read again`)
    }
    t.same([...(await tracksByPath(pg)).keys()], ['good.mp3'], 'the unchanged file was not read')
    t.same(await remembered(), ['clip.mp4', 'swapped.mp3', 'truncated.flac'], 'a removed file is forgotten')

    // Any change to the file makes the next scan read it again.
    await touch(swapped, new Date(mtime.getTime() + 5000))
    await appendFile(join(media, 'truncated.flac'), Buffer.from([0]))
    const third = await scan(app)
    t.match(third, { status: 'completed', added: 1, failed: 1, skipped: 1 })
    t.same([...(await tracksByPath(pg)).keys()], ['good.mp3', 'swapped.mp3'], 'the changed file is indexed')
    const thirdErrors = await errorsOf(third.id)
    t.notMatch(thirdErrors.get('truncated.flac'), /not read again/, 'the changed corrupt file was read again')
    t.match(thirdErrors.get('clip.mp4'), /not read again/)
    t.same(await remembered(), ['clip.mp4', 'truncated.flac'], 'an indexed file is no longer remembered')
  })
})

t.test('one scan at a time, and bad requests change nothing', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    for (let i = 0; i < 3; i++) await writeAudioFixture(env.MEDIA_PATH as string, 'mp3', { name: `t${i}`, tags: { title: `T${i}` } })
    const [one, two] = await Promise.all([
      app.inject({ method: 'POST', url: '/api/scan/start', headers: { 'content-type': 'application/json' }, payload: '{}' }),
      app.inject({ method: 'POST', url: '/api/scan/start', headers: { 'content-type': 'application/json' }, payload: '' })
    ])
    t.equal(one.statusCode, 202)
    t.equal(two.statusCode, 202)
    t.equal(one.json().id, two.json().id, 'the second request gets the running scan')

    const bad = await app.inject({ method: 'POST', url: '/api/scan/start', headers: { 'content-type': 'application/json' }, payload: '{"deep":' })
    t.equal(bad.statusCode, 400)
    t.match(bad.json(), { statusCode: 400, error: 'Bad Request' })
    const extra = await app.inject({ method: 'POST', url: '/api/scan/start', payload: { force: true } })
    t.equal(extra.statusCode, 400)

    t.equal((await app.inject('/api/scans/not-a-uuid')).statusCode, 400)
    const unknown = await app.inject('/api/scans/00000000-0000-4000-8000-000000000000')
    t.equal(unknown.statusCode, 404)
    t.match(unknown.json(), { statusCode: 404, error: 'Not Found', message: /No scan/ })
  })
})

t.test('POST /api/scan/start answers 503 when Redis is configured but down', async (t) => {
  const { app } = await buildScanApp(t, { env: { REDIS_HOST: '127.0.0.1', REDIS_PORT: '1' } })
  const res = await app.inject({ method: 'POST', url: '/api/scan/start' })
  t.equal(res.statusCode, 503)
  t.match(res.json(), { statusCode: 503, code: 'DEPENDENCY_DOWN' })
  t.equal((await app.inject('/api/scan/status')).json().scan, null, 'no scan row is left behind')
})

t.test('a scan whose job was lost does not block new scans forever', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend, redis: v.redis })
    await writeAudioFixture(env.MEDIA_PATH as string, 'mp3', { tags: { title: 'Any' } })
    // As if Redis had been flushed while a scan was queued a minute ago.
    const { rows: [stale] } = await pg.query("INSERT INTO scans (status, started_at) VALUES ('queued', now() - interval '1 minute') RETURNING id")
    const res = await app.inject({ method: 'POST', url: '/api/scan/start' })
    t.equal(res.statusCode, 202)
    t.not(res.json().id, stale.id, 'a new scan is started')
    t.match((await app.inject(`/api/scans/${stale.id as string}`)).json(), { status: 'failed', error: /job was lost/ })
    t.match(await waitForScanId(app, res.json().id), { status: 'completed', added: 1 })
  })
})
