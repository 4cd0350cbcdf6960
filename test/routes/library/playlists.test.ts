import t from 'tap'
import { build, eachVariant, type TestApp } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { OWNER_ID } from '../../../lib/users/caller.js'
import type { PlaylistT } from '../../../schemas/playlist.js'

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'
const NOT_A_TRACK = '11111111-1111-4111-8111-111111111111'

// The web app's remote library adapter sends JSON with Content-Type on every call.
function call (app: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) {
  return app.inject({
    method,
    url,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) })
  })
}

async function library (app: TestApp): Promise<{ a: string, b: string, c: string, d: string, albumA: string, albumC: string }> {
  const seeded = await seedLibrary(app.pg, [
    { path: 'A/one.mp3', title: 'One', artist: 'Ann', album: 'First', coverSource: 'file:A/cover.jpg', duration: 61.4 },
    { path: 'A/two.mp3', title: 'Two', artist: 'Ann', album: 'First', duration: 120 },
    { path: 'B/three.mp3', title: 'Three', artist: 'Bob', album: 'Second', coverSource: 'file:B/cover.jpg', duration: 30 },
    { path: 'C/four.mp3', title: 'Four', artist: 'Cy', album: 'Bare', duration: null }
  ])
  const id = (p: string): string => seeded.trackIds.get(p) as string
  const albums = await app.pg.query<{ id: string, title: string }>('SELECT id, title FROM albums')
  const album = (title: string): string => albums.rows.find((r) => r.title === title)?.id as string
  return { a: id('A/one.mp3'), b: id('A/two.mp3'), c: id('B/three.mp3'), d: id('C/four.mp3'), albumA: album('First'), albumC: album('Second') }
}

// What a rescan does to a track whose file is gone, and what the scanner's identity keeping does
// when it comes back: the row goes, then returns with the same id.
async function takeAway (app: TestApp, id: string): Promise<() => Promise<void>> {
  const { rows } = await app.pg.query<{ row: unknown }>('SELECT row_to_json(t) AS row FROM tracks t WHERE id = $1', [id])
  await app.pg.query('DELETE FROM tracks WHERE id = $1', [id])
  return async () => {
    await app.pg.query('INSERT INTO tracks SELECT * FROM json_populate_record(NULL::tracks, $1::json)', [JSON.stringify(rows[0].row)])
  }
}

t.test('playlists: the web app\'s calls, order and duplicates', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const { a, b, c, d, albumA, albumC } = await library(app)

    t.same((await call(app, 'GET', '/api/library/playlists?type=')).json(), { playlists: [] }, 'no playlists at first')

    const created = await call(app, 'POST', '/api/library/playlists', { name: 'Road trip', type: 'MANUAL', trackIds: [c, a, c, b, a] })
    t.equal(created.statusCode, 201)
    const p = created.json() as PlaylistT
    t.match(p, { name: 'Road trip', type: 'MANUAL', trackIds: [c, a, c, b, a], trackCount: 5 })
    t.same([p.owner, p.public], [{ id: OWNER_ID, username: null }, false],
      'before anyone signs up a playlist is the owner account\'s, and private unless asked')
    t.same(p.coverArts, [`/api/cover/${albumC}`, `/api/cover/${albumA}`], 'covers of distinct albums in playlist order, only albums that have one')
    t.notOk('description' in p, 'absent optional fields are left out')
    t.notOk('rules' in p)
    t.notOk('snapshotDate' in p)
    t.ok(Date.parse(p.createdAt) > 0)
    t.equal(p.createdAt, p.updatedAt)

    const got = (await call(app, 'GET', `/api/library/playlists/${p.id}`)).json() as PlaylistT
    t.same(got, p, 'read back as created')
    t.equal((await call(app, 'GET', `/api/library/playlists/${p.id.toUpperCase()}`)).statusCode, 200, 'an upper-case id is the same playlist')

    const renamed = (await call(app, 'PATCH', `/api/library/playlists/${p.id}`, { name: 'Road trip 2' })).json() as PlaylistT
    t.equal(renamed.name, 'Road trip 2')
    t.same(renamed.trackIds, p.trackIds, 'renaming keeps the tracks')
    t.ok(Date.parse(renamed.updatedAt) >= Date.parse(p.updatedAt))

    const reordered = (await call(app, 'PATCH', `/api/library/playlists/${p.id}`, { trackIds: [a, a, d, c] })).json() as PlaylistT
    t.same(reordered.trackIds, [a, a, d, c], 'the whole list replaced, in the order sent')
    t.equal(reordered.trackCount, 4)

    const appended = (await call(app, 'POST', `/api/library/playlists/${p.id}/tracks`, { trackIds: [b, a] })).json() as PlaylistT
    t.same(appended.trackIds, [a, a, d, c, b, a], 'appended at the end, repeats kept')

    const removed = await call(app, 'DELETE', `/api/library/playlists/${p.id}/tracks`, { trackIds: [a] })
    t.equal(removed.statusCode, 200)
    t.same((removed.json() as PlaylistT).trackIds, [d, c, b], 'every occurrence of a removed id goes')
    const notThere = await call(app, 'DELETE', `/api/library/playlists/${p.id}/tracks`, { trackIds: [a] })
    t.same((notThere.json() as PlaylistT).trackIds, [d, c, b], 'removing a track that is not in the playlist changes nothing')

    const snapshot = await call(app, 'POST', '/api/library/playlists', { name: 'Queue 1/2/2026, 10:00:00', type: 'HISTORY_SNAPSHOT', trackIds: [b] })
    t.equal(snapshot.statusCode, 201)
    t.ok(Date.parse((snapshot.json() as PlaylistT).snapshotDate as string) > 0, 'a queue snapshot gets its date')
    const dated = await call(app, 'PATCH', `/api/library/playlists/${(snapshot.json() as PlaylistT).id}`, { snapshotDate: '2026-03-01T12:00:00+23:59' })
    t.equal((dated.json() as PlaylistT).snapshotDate, '2026-02-28T12:01:00.000Z', 'any offset the format allows is stored in UTC')
    const smart = await call(app, 'POST', '/api/library/playlists', {
      name: 'Loud', type: 'SMART', trackIds: [], rules: { match: 'all', conditions: [{ field: 'genre', op: 'is', value: 'Rock' }] }, description: 'Rock'
    })
    t.equal(smart.statusCode, 201)
    t.same((smart.json() as PlaylistT).rules, { match: 'all', conditions: [{ field: 'genre', op: 'is', value: 'Rock' }] }, 'rules come back as sent')
    const noRules = (await call(app, 'PATCH', `/api/library/playlists/${(smart.json() as PlaylistT).id}`, { rules: null, description: null })).json() as PlaylistT
    t.notOk('rules' in noRules, 'null removes the rules')
    t.notOk('description' in noRules, 'null removes the description')

    const all = (await call(app, 'GET', '/api/library/playlists')).json() as { playlists: PlaylistT[] }
    t.same(all.playlists.map((x) => x.name), ['Loud', 'Queue 1/2/2026, 10:00:00', 'Road trip 2'], 'every playlist, by name')
    const snapshots = (await call(app, 'GET', '/api/library/playlists?type=HISTORY_SNAPSHOT')).json() as { playlists: PlaylistT[] }
    t.same(snapshots.playlists.map((x) => x.type), ['HISTORY_SNAPSHOT'], '?type= filters')

    const deleted = await call(app, 'DELETE', `/api/library/playlists/${p.id}`)
    t.equal(deleted.statusCode, 204)
    t.equal(deleted.body, '')
    t.equal((await call(app, 'GET', `/api/library/playlists/${p.id}`)).statusCode, 404, 'gone')
    t.equal((await call(app, 'DELETE', `/api/library/playlists/${p.id}`)).statusCode, 404, 'deleting twice is a 404')
    const { rows } = await app.pg.query('SELECT 1 FROM playlist_entries WHERE playlist_id = $1', [p.id])
    t.equal(rows.length, 0, 'its entries went with it')
  })
})

t.test('playlists: bad input is a 400 naming the field and changes nothing', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const { a, b } = await library(app)
    const p = (await call(app, 'POST', '/api/library/playlists', { name: 'Kept', type: 'MANUAL', trackIds: [a, b] })).json() as PlaylistT
    const before = (await call(app, 'GET', `/api/library/playlists/${p.id}`)).json()
    const count = async (): Promise<number> => (await app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM playlists')).rows[0].n

    const cases: Array<[string, 'POST' | 'PATCH' | 'DELETE' | 'GET', string, unknown, RegExp]> = [
      ['unknown ids on create', 'POST', '/api/library/playlists', { name: 'x', type: 'MANUAL', trackIds: [a, NOT_A_TRACK] }, new RegExp(`trackIds.*${NOT_A_TRACK}`)],
      ['unknown ids on replace', 'PATCH', `/api/library/playlists/${p.id}`, { trackIds: [NOT_A_TRACK] }, new RegExp(`trackIds.*${NOT_A_TRACK}`)],
      ['unknown ids on append', 'POST', `/api/library/playlists/${p.id}/tracks`, { trackIds: [b, NOT_A_TRACK] }, new RegExp(`trackIds.*${NOT_A_TRACK}`)],
      ['unknown ids on remove', 'DELETE', `/api/library/playlists/${p.id}/tracks`, { trackIds: [a, NOT_A_TRACK] }, new RegExp(`trackIds.*${NOT_A_TRACK}`)],
      ['a track id that is not a uuid', 'POST', `/api/library/playlists/${p.id}/tracks`, { trackIds: ['nope'] }, /trackIds/],
      ['no name', 'POST', '/api/library/playlists', { type: 'MANUAL', trackIds: [] }, /name/],
      ['a blank name', 'POST', '/api/library/playlists', { name: '   ', trackIds: [] }, /name/],
      ['an empty name', 'PATCH', `/api/library/playlists/${p.id}`, { name: '' }, /name/],
      ['a NUL in the name', 'PATCH', `/api/library/playlists/${p.id}`, { name: 'a\u0000b' }, /name/],
      ['an unknown type', 'POST', '/api/library/playlists', { name: 'x', type: 'RADIO' }, /type/],
      ['rules on a manual playlist', 'POST', '/api/library/playlists', { name: 'x', type: 'MANUAL', rules: { a: 1 } }, /rules/],
      ['rules on an existing manual playlist', 'PATCH', `/api/library/playlists/${p.id}`, { rules: { a: 1 } }, /rules/],
      ['rules that are not an object', 'POST', '/api/library/playlists', { name: 'x', type: 'SMART', rules: [1, 2] }, /rules/],
      ['rules too large', 'POST', '/api/library/playlists', { name: 'x', type: 'SMART', rules: { big: 'x'.repeat(20_000) } }, /rules/],
      ['rules too deep', 'POST', '/api/library/playlists', { name: 'x', type: 'SMART', rules: JSON.parse('{"a":'.repeat(40) + '1' + '}'.repeat(40)) }, /rules/],
      ['a NUL in the rules', 'POST', '/api/library/playlists', { name: 'x', type: 'SMART', rules: { v: 'a\u0000' } }, /rules/],
      ['a snapshot date on a manual playlist', 'PATCH', `/api/library/playlists/${p.id}`, { snapshotDate: '2026-01-01T00:00:00Z' }, /snapshotDate/],
      ['a malformed snapshot date', 'POST', '/api/library/playlists', { name: 'x', type: 'HISTORY_SNAPSHOT', snapshotDate: 'yesterday' }, /snapshotDate/],
      ['a snapshot date PostgreSQL cannot hold', 'POST', '/api/library/playlists', { name: 'x', type: 'HISTORY_SNAPSHOT', snapshotDate: '0000-01-01T00:00:00Z' }, /snapshotDate/],
      ['an unknown property', 'PATCH', `/api/library/playlists/${p.id}`, { name: 'x', owner: 'me' }, /additional properties/],
      ['public not a boolean', 'POST', '/api/library/playlists', { name: 'x', public: 'true' }, /public/],
      ['public null', 'PATCH', `/api/library/playlists/${p.id}`, { public: null }, /public/],
      ['changing the owner', 'PATCH', `/api/library/playlists/${p.id}`, { owner: { id: OWNER_ID } }, /additional properties/],
      ['changing the type', 'PATCH', `/api/library/playlists/${p.id}`, { type: 'SMART' }, /additional properties/],
      ['an empty patch', 'PATCH', `/api/library/playlists/${p.id}`, {}, /fewer than 1 properties/],
      ['trackIds not an array', 'PATCH', `/api/library/playlists/${p.id}`, { trackIds: { a } }, /trackIds/],
      ['no body to append', 'POST', `/api/library/playlists/${p.id}/tracks`, undefined, /body/],
      ['a bad type filter', 'GET', '/api/library/playlists?type=manual', undefined, /type/],
      ['a bad playlist id', 'GET', '/api/library/playlists/123', undefined, /id/],
      ['a bad playlist id for export', 'GET', '/api/library/playlists/123.m3u8', undefined, /id/]
    ]
    for (const [what, method, url, body, message] of cases) {
      const res = await call(app, method as 'GET', url, body)
      t.equal(res.statusCode, 400, `${what}: 400`)
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message }, `${what}: the message names the field`)
    }
    const malformed = await app.inject({ method: 'POST', url: '/api/library/playlists', headers: { 'content-type': 'application/json' }, payload: '{"name":' })
    t.equal(malformed.statusCode, 400, 'malformed JSON is a 400')
    t.same((await call(app, 'GET', `/api/library/playlists/${p.id}`)).json(), before, 'the playlist is as it was')
    t.equal(await count(), 1, 'nothing was created')

    for (const [method, url, body] of [
      ['GET', `/api/library/playlists/${NO_SUCH_ID}`, undefined],
      ['GET', `/api/library/playlists/${NO_SUCH_ID}.m3u8`, undefined],
      ['PATCH', `/api/library/playlists/${NO_SUCH_ID}`, { name: 'x' }],
      ['PATCH', `/api/library/playlists/${NO_SUCH_ID}`, { trackIds: [a] }],
      ['DELETE', `/api/library/playlists/${NO_SUCH_ID}`, undefined],
      ['POST', `/api/library/playlists/${NO_SUCH_ID}/tracks`, { trackIds: [a] }],
      ['DELETE', `/api/library/playlists/${NO_SUCH_ID}/tracks`, { trackIds: [a] }]
    ] as const) {
      const res = await call(app, method, url, body)
      t.equal(res.statusCode, 404, `${method} ${url}: 404`)
      t.match(res.json(), { statusCode: 404, error: 'Not Found', message: /Playlist .* not found/ })
    }
    t.equal((await app.pg.query<{ n: number }>('SELECT count(*)::int AS n FROM playlist_entries')).rows[0].n, 2, 'no entries were written anywhere')
  })
})

t.test('playlists: a track missing from the library is hidden, keeps its place, and comes back', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const { a, b, c, d } = await library(app)
    const p = (await call(app, 'POST', '/api/library/playlists', { name: 'Mix', type: 'MANUAL', trackIds: [a, b, c, b, d] })).json() as PlaylistT

    const bringBack = await takeAway(app, b)
    const hidden = (await call(app, 'GET', `/api/library/playlists/${p.id}`)).json() as PlaylistT
    t.same(hidden.trackIds, [a, c, d], 'entries of the missing track are left out')
    t.equal(hidden.trackCount, 3)
    const listed = (await call(app, 'GET', '/api/library/playlists')).json() as { playlists: PlaylistT[] }
    t.same(listed.playlists[0].trackIds, [a, c, d], 'in the list too')
    const exported = (await call(app, 'GET', `/api/library/playlists/${p.id}.m3u8`)).body
    t.notMatch(exported, 'A/two.mp3', 'and in the export')

    t.equal((await call(app, 'POST', '/api/library/playlists', { name: 'x', trackIds: [b] })).statusCode, 400, 'a missing track cannot be added')

    // The client reorders what it sees: d first, a dropped.
    const patched = (await call(app, 'PATCH', `/api/library/playlists/${p.id}`, { trackIds: [d, c] })).json() as PlaylistT
    t.same(patched.trackIds, [d, c])

    await bringBack()
    const back = (await call(app, 'GET', `/api/library/playlists/${p.id}`)).json() as PlaylistT
    // b followed a (dropped: nothing earlier remains, so b goes first) and c (kept: b stays after c).
    t.same(back.trackIds, [b, d, c, b], 'hidden entries survived the reorder next to the entries they followed')

    const bringBackAgain = await takeAway(app, b)
    const removed = await call(app, 'DELETE', `/api/library/playlists/${p.id}/tracks`, { trackIds: [b] })
    t.equal(removed.statusCode, 200, 'a missing track\'s id still removes its hidden entries')
    await bringBackAgain()
    t.same(((await call(app, 'GET', `/api/library/playlists/${p.id}`)).json() as PlaylistT).trackIds, [d, c], 'they are gone for good')
  })
})

t.test('playlists: export as .m3u8', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const seeded = await seedLibrary(app.pg, [
      { path: 'A/one.mp3', title: 'One\r\nTwo', artist: 'Ann', album: 'First', duration: 61.6 },
      { path: '#1 hit.mp3', title: 'Hit', artist: 'Bob', album: 'Second', duration: null },
      { path: 'Sigur Rós/Takk/Hoppípolla.flac', title: 'Hoppípolla', artist: 'Sigur Rós', album: 'Takk', duration: 270 }
    ])
    const [one, hit, hopp] = [...seeded.trackIds.values()]
    const p = (await call(app, 'POST', '/api/library/playlists', { name: 'Ré/mix "best" \\ of', trackIds: [hopp, one, hit, one] })).json() as PlaylistT

    for (const id of [p.id, p.id.toUpperCase()]) {
      const res = await app.inject(`/api/library/playlists/${id}.m3u8`)
      t.equal(res.statusCode, 200, `export by ${id === p.id ? 'lower' : 'upper'}-case id`)
      t.equal(res.headers['content-type'], 'audio/x-mpegurl; charset=utf-8')
      t.equal(res.body, [
        '#EXTM3U',
        '#PLAYLIST:Ré/mix "best" \\ of',
        '#EXTINF:270,Sigur Rós - Hoppípolla',
        'Sigur Rós/Takk/Hoppípolla.flac',
        '#EXTINF:62,Ann - One Two',
        'A/one.mp3',
        '#EXTINF:-1,Bob - Hit',
        './#1 hit.mp3',
        '#EXTINF:62,Ann - One Two',
        'A/one.mp3',
        ''
      ].join('\n'), 'EXTINF lines, library-relative paths, one line per tag value')
      const disposition = res.headers['content-disposition'] as string
      t.match(disposition, /^attachment; filename="R\? mix \\"best\\" of\.m3u8"; filename\*=UTF-8''R%C3%A9%20mix%20%22best%22%20of\.m3u8$/,
        'the file name is the playlist name, without path separators, encoded for every client')
    }
    t.equal((await app.inject(`/api/library/playlists/${p.id}.M3U8`)).statusCode, 400, 'only .m3u8, lower case, is the export')
    const empty = (await call(app, 'POST', '/api/library/playlists', { name: '\u0007', trackIds: [] })).json() as PlaylistT
    const res = await app.inject(`/api/library/playlists/${empty.id}.m3u8`)
    t.equal(res.body, '#EXTM3U\n#PLAYLIST:\n')
    t.equal(res.headers['content-disposition'], 'attachment; filename=playlist.m3u8', 'a name with nothing printable still gives a file name')
  })
})
