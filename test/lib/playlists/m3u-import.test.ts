// .m3u/.m3u8 files in a real, scanned media folder become playlists.
import t, { type Test } from 'tap'
import { mkdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { eachVariant, tempDir, type TestApp } from '../../helper.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan, type ScanBody } from '../../fixtures/scan.js'
import { addUser, type TestUser } from '../../fixtures/users.js'
import { OWNER_ID } from '../../../lib/users/caller.js'
import type { PlaylistT } from '../../../schemas/playlist.js'

interface ScanDetail extends ScanBody { errors: Array<{ path: string, message: string }> }

async function scanned (t: Test, app: TestApp, headers: Record<string, string> = {}): Promise<ScanDetail> {
  const finished = await scan(app, headers)
  t.equal(finished.status, 'completed', 'the scan completes')
  t.equal(finished.failed, 0, 'playlist warnings are not failures')
  return (await app.inject({ url: `/api/scans/${finished.id}`, headers })).json() as ScanDetail
}

async function playlists (app: TestApp, headers: Record<string, string> = {}): Promise<PlaylistT[]> {
  return ((await app.inject({ url: '/api/library/playlists', headers })).json() as { playlists: PlaylistT[] }).playlists
}

async function bySource (app: TestApp, path: string, headers: Record<string, string> = {}): Promise<PlaylistT | undefined> {
  return (await playlists(app, headers)).find((p) => p.importedFrom?.path === path)
}

async function trackIdsByPath (app: TestApp): Promise<Map<string, string>> {
  const { rows } = await app.pg.query<{ id: string, file_path: string }>('SELECT id, file_path FROM tracks')
  return new Map(rows.map((r) => [r.file_path, r.id]))
}

const later = (seconds: number): Date => new Date(Date.now() + seconds * 1000)

t.test('playlist files become playlists: every kind of line, re-scans, changes, deletions', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-m3u-media-')
    await writeAudioFixture(join(media, 'Ann', 'First'), 'mp3', { name: '01 One', tags: { title: 'One', artist: 'Ann', album: 'First', track: '1' } })
    await writeAudioFixture(join(media, 'Ann', 'First'), 'flac', { name: '02 Two', tags: { title: 'Two', artist: 'Ann', album: 'First', track: '2' } })
    await writeAudioFixture(join(media, 'Bob', 'Sigur Rós'), 'ogg', { name: 'Hoppípolla', tags: { title: 'Hoppípolla', artist: 'Bob', album: 'Takk' } })
    await writeAudioFixture(join(media, 'Cy', 'Case'), 'mp3', { name: 'Track', tags: { title: 'Track', artist: 'Cy', album: 'Case' } })
    await writeFile(join(media, 'notes.txt'), 'not audio')
    await mkdir(join(media, 'Mixes'))

    const edge = join(media, 'Mixes', 'edge.m3u8')
    const edgeLines = [
      '#EXTM3U',
      '#PLAYLIST:Edge cases',
      '#EXTINF:1,Ann - One',
      '../Ann/First/01 One.mp3',
      '',
      '# any other comment',
      `${media}/Ann/First/02 Two.flac`,
      `file://${media.split('/').map(encodeURIComponent).join('/')}/Bob/Sigur%20R%C3%B3s/Hopp%C3%ADpolla.ogg`,
      '..\\Ann\\First\\01 One.mp3',
      'C:\\Music\\Ann\\First\\01 One.mp3',
      '/etc/passwd',
      '../../outside.mp3',
      '../Ann/First/03 Gone.mp3',
      '../notes.txt',
      '../cy/case/TRACK.mp3',
      'http://example.com/stream.mp3',
      '../Ann/First/04 Also gone.mp3'
    ]
    // UTF-8 with a byte order mark and CRLF line ends.
    await writeFile(edge, `\uFEFF${edgeLines.join('\r\n')}\r\n`)
    // Windows-1252 (ó and í are single bytes), Windows separators, no #EXTM3U, LF.
    await writeFile(join(media, 'old.m3u'), Buffer.from('Bob\\Sigur Rós\\Hoppípolla.ogg\nAnn\\First\\02 Two.flac\n', 'latin1'))
    // UTF-16 with its byte order mark, at the top.
    await writeFile(join(media, 'wide.m3u'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('#EXTM3U\r\nAnn/First/01 One.mp3\r\n', 'utf16le')]))

    const { app } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const first = await scanned(t, app)
    const ids = await trackIdsByPath(app)
    const one = ids.get('Ann/First/01 One.mp3') as string
    const two = ids.get('Ann/First/02 Two.flac') as string
    const hopp = ids.get('Bob/Sigur Rós/Hoppípolla.ogg') as string
    const track = ids.get('Cy/Case/Track.mp3') as string
    t.equal(ids.size, 4, 'four tracks indexed')

    const all = await playlists(app)
    t.equal(all.length, 3, 'one playlist per file')
    const edgeList = await bySource(app, 'Mixes/edge.m3u8') as PlaylistT
    t.match(edgeList, { name: 'Edge cases', type: 'MANUAL', trackCount: 5 })
    t.match(edgeList, { owner: { id: OWNER_ID, username: null }, public: true }, 'before anyone signed up: public, the owner row\'s')
    t.same(edgeList.trackIds, [one, two, hopp, one, track],
      'relative, absolute, file URL, backslashes and a case-insensitive match resolve, in file order')
    t.match(edgeList.importedFrom, { path: 'Mixes/edge.m3u8', entries: 12, unresolved: 7, missing: false })
    t.match(edgeList.description, /Imported from Mixes\/edge\.m3u8; 7 of 12 entries are not in the library/)
    t.same((await bySource(app, 'old.m3u'))?.trackIds, [hopp, two], 'a Windows-1252 playlist with backslashes')
    t.same((await bySource(app, 'old.m3u'))?.name, 'old', 'named after the file without #PLAYLIST')
    t.same((await bySource(app, 'wide.m3u'))?.trackIds, [one], 'a UTF-16 playlist')

    const warning = first.errors.find((e) => e.path === 'Mixes/edge.m3u8')
    t.ok(warning, 'the unresolvable lines are reported among the scan\'s errors')
    t.equal(first.warnings, first.errors.filter((e) => e.message.startsWith('warning: ')).length, 'the scan counts its warnings')
    t.ok(first.warnings > 0, 'completed with warnings')
    t.match(warning?.message, /^warning: 7 of 12 playlist lines could not be resolved: /)
    t.match(warning?.message, /line 10 "C:\\Music\\Ann\\First\\01 One\.mp3" \(a Windows path, outside the media folder\)/)
    t.match(warning?.message, /line 11 "\/etc\/passwd" \(outside the media folder\)/)
    t.match(warning?.message, /line 12 "\.\.\/\.\.\/outside\.mp3" \(outside the media folder\)/)
    t.match(warning?.message, /line 13 "\.\.\/Ann\/First\/03 Gone\.mp3" \(no such file\)/)
    t.match(warning?.message, /line 14 "\.\.\/notes\.txt" \(not an indexed audio file\)/)
    t.match(warning?.message, /and 2 more$/, 'the first five are spelled out')
    t.notOk(first.errors.some((e) => e.path === 'old.m3u'), 'a fully resolved playlist has no warning')

    // Nothing changed: nothing is imported again, the warning is repeated.
    const second = await scanned(t, app)
    t.same(await bySource(app, 'Mixes/edge.m3u8'), edgeList, 'the same playlist, untouched')
    t.equal((await playlists(app)).length, 3, 'no duplicates')
    t.ok(second.errors.some((e) => e.path === 'Mixes/edge.m3u8' && e.message.startsWith('warning: 7 of 12')), 'the warning again')

    // An edit in the app lasts while the file is unchanged.
    await app.inject({ method: 'PATCH', url: `/api/library/playlists/${edgeList.id}`, payload: { name: 'Mine now' } })
    await scanned(t, app)
    t.equal((await bySource(app, 'Mixes/edge.m3u8'))?.name, 'Mine now', 'an unchanged file is not read again')

    // A changed file replaces the same playlist's tracks.
    await writeFile(edge, '#EXTM3U\n../Cy/Case/Track.mp3\n../Ann/First/02 Two.flac\n')
    await utimes(edge, later(10), later(10))
    const third = await scanned(t, app)
    const changed = await bySource(app, 'Mixes/edge.m3u8') as PlaylistT
    t.equal(changed.id, edgeList.id, 'the same playlist')
    t.same(changed.trackIds, [track, two], 're-imported')
    t.equal(changed.name, 'edge', 'the file names it again')
    t.match(changed.importedFrom, { entries: 2, unresolved: 0 })
    t.notOk(third.errors.some((e) => e.path === 'Mixes/edge.m3u8'), 'no warning once every line resolves')
    t.equal((await playlists(app)).length, 3)

    // Deleted in the app: not brought back while the file is unchanged, re-imported once it changes.
    const wide = await bySource(app, 'wide.m3u') as PlaylistT
    t.equal((await app.inject({ method: 'DELETE', url: `/api/library/playlists/${wide.id}` })).statusCode, 204)
    await scanned(t, app)
    t.equal(await bySource(app, 'wide.m3u'), undefined, 'a deleted playlist stays deleted')
    await utimes(join(media, 'wide.m3u'), later(20), later(20))
    await scanned(t, app)
    const again = await bySource(app, 'wide.m3u')
    t.same(again?.trackIds, [one], 'imported again after the file changed')
    t.not(again?.id, wide.id, 'as a new playlist')

    // The file goes: its playlist stays; the file comes back unchanged: the same playlist.
    await rename(join(media, 'old.m3u'), join(media, '..', `${media.split('/').pop() as string}-old.m3u`))
    t.after(() => rm(join(media, '..', `${media.split('/').pop() as string}-old.m3u`), { force: true }))
    await scanned(t, app)
    const orphan = await bySource(app, 'old.m3u') as PlaylistT
    t.same(orphan.trackIds, [hopp, two], 'a playlist whose file is gone is kept')
    t.equal(orphan.importedFrom?.missing, true, 'and says its file is missing')
    await rename(join(media, '..', `${media.split('/').pop() as string}-old.m3u`), join(media, 'old.m3u'))
    await scanned(t, app)
    const returned = await bySource(app, 'old.m3u') as PlaylistT
    t.equal(returned.id, orphan.id, 'the file back: the same playlist')
    t.equal(returned.importedFrom?.missing, false)
    t.equal((await playlists(app)).length, 3)
  })
})

t.test('a track removed from disk and added back keeps its playlist entries', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-m3u-media-')
    const album = join(media, 'Ann', 'First')
    await writeAudioFixture(album, 'mp3', { name: '01 One', tags: { title: 'One', artist: 'Ann', album: 'First', track: '1' } })
    const twoPath = await writeAudioFixture(album, 'flac', { name: '02 Two', tags: { title: 'Two', artist: 'Ann', album: 'First', track: '2' } })
    await writeAudioFixture(album, 'ogg', { name: '03 Three', tags: { title: 'Three', artist: 'Ann', album: 'First', track: '3' } })
    const { app } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scanned(t, app)
    const ids = await trackIdsByPath(app)
    const [one, two, three] = ['Ann/First/01 One.mp3', 'Ann/First/02 Two.flac', 'Ann/First/03 Three.ogg'].map((p) => ids.get(p) as string)
    const created = await app.inject({ method: 'POST', url: '/api/library/playlists', payload: { name: 'Keep', type: 'MANUAL', trackIds: [two, one, two, three] } })
    const p = created.json() as PlaylistT

    const aside = join(media, '..', `${media.split('/').pop() as string}-two.flac`)
    t.after(() => rm(aside, { force: true }))
    await rename(twoPath, aside)
    const removal = await scanned(t, app)
    t.equal(removal.removed, 1, 'the rescan removes the track')
    const hidden = (await app.inject(`/api/library/playlists/${p.id}`)).json() as PlaylistT
    t.same(hidden.trackIds, [one, three], 'its entries are hidden')
    const { rows } = await app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM playlist_entries WHERE playlist_id = $1', [p.id])
    t.equal(rows[0].n, 4, 'not deleted')

    await rename(aside, twoPath)
    await scanned(t, app)
    // The scanner gives a returning file its old id back; where it does not yet, do what it will.
    await app.pg.query('UPDATE tracks SET id = $1 WHERE file_path = $2 AND id <> $1', [two, 'Ann/First/02 Two.flac'])
    const back = (await app.inject(`/api/library/playlists/${p.id}`)).json() as PlaylistT
    t.same(back.trackIds, [two, one, two, three], 'back in both places')
  })
})

t.test('export round trip: the exported file, scanned, is the same list of tracks', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-m3u-media-')
    await writeAudioFixture(join(media, 'Ann', 'First'), 'mp3', { name: '01 One', tags: { title: 'One', artist: 'Ann', album: 'First' } })
    await writeAudioFixture(join(media, 'Sigur Rós', 'Takk'), 'ogg', { name: 'Hoppípolla', tags: { title: 'Hoppípolla', artist: 'Sigur Rós', album: 'Takk' } })
    await writeAudioFixture(join(media, '#hash'), 'flac', { name: ' lead space', tags: { title: 'Lead', artist: 'Zed', album: 'Hash' } })
    const { app } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    await scanned(t, app)
    const ids = [...(await trackIdsByPath(app)).values()]
    t.equal(ids.length, 3)
    const order = [ids[2], ids[0], ids[1], ids[0], ids[2]]
    const p = (await app.inject({ method: 'POST', url: '/api/library/playlists', payload: { name: 'Round trip', trackIds: order } })).json() as PlaylistT

    const exported = await app.inject(`/api/library/playlists/${p.id}.m3u8`)
    t.equal(exported.statusCode, 200)
    await writeFile(join(media, 'Round trip.m3u8'), exported.rawPayload)
    await scanned(t, app)
    const imported = await bySource(app, 'Round trip.m3u8') as PlaylistT
    t.equal(imported.name, 'Round trip')
    t.same(imported.trackIds, order, 'same tracks, same order, repeats kept')
    t.match(imported.importedFrom, { entries: 5, unresolved: 0 })
    t.equal((await readFile(join(media, 'Round trip.m3u8'), 'utf8')).split('\n')[0], '#EXTM3U')
  })
})

t.test('imported playlists are public and belong to the admin the owner row passed to', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-m3u-media-')
    await writeAudioFixture(join(media, 'Ann', 'First'), 'mp3', { name: '01 One', tags: { title: 'One', artist: 'Ann', album: 'First' } })
    await writeAudioFixture(join(media, 'Ann', 'First'), 'flac', { name: '02 Two', tags: { title: 'Two', artist: 'Ann', album: 'First' } })
    const mix = join(media, 'Mix.m3u8')
    await writeFile(mix, '#EXTM3U\nAnn/First/01 One.mp3\n')
    const { app } = await buildScanApp(t, { backend: v.backend, mediaPath: media })
    const ana = await addUser(app.pg.pool, 'ana', 'admin')
    const bob = await addUser(app.pg.pool, 'bob', 'user')
    const cy = await addUser(app.pg.pool, 'cy', 'admin')
    const call = async (user: TestUser, method: 'GET' | 'PATCH' | 'DELETE', url: string, payload?: object): Promise<{ statusCode: number, json: () => unknown }> =>
      await app.inject({ method, url, headers: user.headers, ...(payload === undefined ? {} : { payload }) })

    await scanned(t, app, cy.headers)
    const imported = await bySource(app, 'Mix.m3u8', ana.headers) as PlaylistT
    t.equal(ana.id, OWNER_ID, 'the first admin claimed the owner row')
    t.match(imported, { owner: { id: ana.id, username: 'ana' }, public: true },
      'public, and owned by the owner row\'s claimant whichever admin scanned')
    t.same(await bySource(app, 'Mix.m3u8', bob.headers), imported, 'a user sees it')
    t.equal((await call(bob, 'GET', `/api/library/playlists/${imported.id}.m3u8`)).statusCode, 200, 'and exports it')
    t.equal((await call(bob, 'PATCH', `/api/library/playlists/${imported.id}`, { name: 'Mine' })).statusCode, 403, 'but cannot change it')
    t.equal((await call(cy, 'DELETE', `/api/library/playlists/${imported.id}`)).statusCode, 403, 'nor can another admin')

    // Its owner's choices last through a change of the file.
    t.equal((await call(ana, 'PATCH', `/api/library/playlists/${imported.id}`, { public: false })).statusCode, 200, 'the owner makes it private')
    await writeFile(mix, '#EXTM3U\nAnn/First/02 Two.flac\n')
    await utimes(mix, later(10), later(10))
    await scanned(t, app, cy.headers)
    const reimported = await bySource(app, 'Mix.m3u8', ana.headers) as PlaylistT
    t.equal(reimported.id, imported.id, 'a changed file updates the same playlist')
    t.match(reimported, { public: false, owner: { id: ana.id } }, 'keeping its owner and the owner\'s choice to keep it private')
    t.equal(await bySource(app, 'Mix.m3u8', bob.headers), undefined, 'so bob no longer sees it')

    // Once the owner row is gone, the oldest admin left takes its place for new imports.
    t.equal((await call(cy, 'DELETE', `/api/users/${ana.id}`)).statusCode, 204, 'ana is deleted')
    t.match((await app.pg.query<{ owner_id: string }>('SELECT owner_id FROM playlists WHERE id = $1', [imported.id])).rows, [{ owner_id: cy.id }],
      'her imported playlist stays, with the oldest admin left: it is in everyone\'s media folder')
    await writeFile(join(media, 'Later.m3u8'), '#EXTM3U\nAnn/First/02 Two.flac\n')
    await scanned(t, app, cy.headers)
    t.match(await bySource(app, 'Later.m3u8', bob.headers), { owner: { id: cy.id, username: 'cy' }, public: true },
      'a new file is imported as the oldest remaining admin\'s, public')
  })
})
