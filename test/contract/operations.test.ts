// The OpenAPI document is the truth: every documented operation is called at least once with a
// request that succeeds and once with one that fails with a 4xx, and every response (JSON, SSE
// and binary) is checked against what the document says for its status code. Calls are made as
// the first admin; each operation is also called with a user's key and a worker key, and must
// refuse them (403) exactly when its x-required-role says so.
import t from 'tap'
import { join } from 'node:path'
import { writeFile } from 'node:fs/promises'
import type { OpenAPIV3 } from 'openapi-types'
import type { LightMyRequestResponse } from 'fastify'
import { tempDir, type TestApp } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, scan } from '../fixtures/scan.js'
import { ContractValidator } from './validator.js'

interface Call {
  method: string
  url: string
  headers?: Record<string, string>
  payload?: string
}

const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'
// The id above is the owner row's (sql/010), which the first admin claims: not "no such user".
const NO_SUCH_USER = '11111111-1111-4111-8111-111111111111'
const KEY = 'contract-key'
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8DwHwAFAAH/iZk9HQAAAABJRU5ErkJggg==', 'base64')

t.test('every documented operation keeps its contract', async (t) => {
  const media = await tempDir(t, 'sonantica-contract-media-')
  await writeAudioFixture(join(media, 'The Beatles', 'Abbey Road'), 'mp3', {
    cover: true,
    tags: { title: 'Come Together', artist: 'The Beatles', album: 'Abbey Road', track: '1/17', date: '1969', genre: 'Rock' }
  })
  await writeAudioFixture(join(media, 'The Beatles', 'Abbey Road'), 'flac', {
    tags: { title: 'Something', artist: 'The Beatles', album: 'Abbey Road', track: '2/17', date: '1969', genre: 'Rock' }
  })
  const folderAlbum = join(media, 'Sigur Rós', 'Takk')
  await writeAudioFixture(folderAlbum, 'ogg', { tags: { title: 'Hoppípolla', artist: 'Sigur Rós', album: 'Takk', date: '2005' } })
  await writeFile(join(folderAlbum, 'cover.png'), PNG_1PX)
  await writeAudioFixture(join(media, 'Nobody', 'Bare'), 'wav', { tags: { title: 'Plain', artist: 'Nobody', album: 'Bare' } })
  // Imported by the scan, with one line that resolves and one that does not (a scan warning).
  await writeFile(join(media, 'Mix.m3u8'), '#EXTM3U\n#EXTINF:1,The Beatles - Come Together\nThe Beatles/Abbey Road/Come Together.mp3\nnot/here.mp3\n')

  const { app } = await buildScanApp(t, { mediaPath: media, env: { ANALYSIS: 'on' } })
  const finished = await scan(app)
  t.equal(finished.status, 'completed', 'the library is scanned')
  const keyed = (await buildScanApp(t, { mediaPath: media, env: { API_KEY: KEY } })).app

  const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
  const validator = new ContractValidator(doc)

  const tracks = (await app.inject('/api/library/tracks?limit=500')).json() as { tracks: Array<{ id: string, filePath: string, albumId: string, artistId: string, title: string }> }
  const track = tracks.tracks.find((x) => x.title === 'Come Together')
  const bare = tracks.tracks.find((x) => x.title === 'Plain')
  const folder = tracks.tracks.find((x) => x.title === 'Hoppípolla')
  if (track === undefined || bare === undefined || folder === undefined) throw new Error('scan did not index the fixtures')
  const streamEtag = (await app.inject(`/api/stream/${track.id}`)).headers.etag as string
  const coverEtag = (await app.inject(`/api/cover/${track.albumId}`)).headers.etag as string
  const encodedPath = track.filePath.split('/').map(encodeURIComponent).join('/')
  // A stored result: an analysis consumer has been seen, so a backfill may run.
  await app.inject({ method: 'PUT', url: `/api/library/tracks/${folder.id}/analysis`, payload: { bpm: 100 } })
  const imported = ((await app.inject('/api/library/playlists')).json() as { playlists: Array<{ name: string, trackIds: string[] }> }).playlists
  if (imported.length !== 1 || imported[0].trackIds[0] !== track.id) throw new Error(`scan did not import Mix.m3u8: ${JSON.stringify(imported)}`)
  const newPlaylist = async (body: unknown): Promise<string> => {
    const res = await app.inject({ method: 'POST', url: '/api/library/playlists', payload: body as object })
    return (res.json() as { id: string }).id
  }
  const playlist = await newPlaylist({ name: 'Contract', type: 'MANUAL', trackIds: [track.id, bare.id, track.id] })
  const doomed = await newPlaylist({ name: 'Doomed', type: 'MANUAL', trackIds: [] })

  // Everything above was made by the open service's owner; the first admin now claims it, and
  // every call from here on carries a key.
  const setupBody = { username: 'contract-admin', password: 'contract password' }
  const admin = (await app.inject({ method: 'POST', url: '/api/auth/setup', payload: setupBody })).json() as { key: string, apiKey: { id: string } }
  const bearer = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` })
  const addUser = async (username: string): Promise<{ id: string, key: string }> => {
    const made = await app.inject({ method: 'POST', url: '/api/users', headers: bearer(admin.key), payload: { username, password: 'user password' } })
    const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: 'user password' } })
    return { id: (made.json() as { id: string }).id, key: (login.json() as { key: string }).key }
  }
  const person = await addUser('contract-user')
  const doomedUser = await addUser('contract-doomed')
  const worker = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin.key), payload: { name: 'worker', role: 'worker' } })).json() as { key: string }
  const spareKey = (await app.inject({ method: 'POST', url: '/api/auth/keys', headers: bearer(admin.key), payload: { name: 'spare' } })).json() as { apiKey: { id: string } }
  // Setup succeeds only on a service nobody has signed up to.
  const unclaimed = (await buildScanApp(t, { mediaPath: media })).app

  const json = (method: string, url: string, body: unknown): Call => ({ method, url, payload: JSON.stringify(body), headers: { 'content-type': 'application/json' } })
  const streamCalls = (prefix: string, method: string): { ok: Call[], bad: Call[] } => ({
    ok: [
      { method, url: `${prefix}/${track.id}` },
      { method, url: `${prefix}/${track.id}`, headers: { range: 'bytes=0-99' } },
      { method, url: `${prefix}/${track.id}`, headers: { 'if-none-match': streamEtag } },
      { method, url: `${prefix}/${encodedPath}` }
    ],
    bad: [
      { method, url: `${prefix}/${NO_SUCH_ID}` },
      { method, url: `${prefix}/no/such/file.mp3` },
      { method, url: `${prefix}/${track.id}`, headers: { range: 'bytes=999999999-' } }
    ]
  })

  // limit=-1 is the whole list (from offset on, cached and revalidated by ETag); 0 and other
  // negative limits are refused.
  const whole = (url: string): Call[] => {
    const sep = url.includes('?') ? '&' : '?'
    return [{ method: 'GET', url: `${url}${sep}limit=-1` }, { method: 'GET', url: `${url}${sep}limit=-1&offset=1` }]
  }
  const notWhole = (url: string): Call[] => ['0', '-2', '-1.5'].map((limit) => ({ method: 'GET', url: `${url}${url.includes('?') ? '&' : '?'}limit=${limit}` }))
  const recipes: Record<string, { ok: Call[], bad: Call[], target?: TestApp }> = {
    'POST /api/auth/setup': {
      target: unclaimed,
      ok: [json('POST', '/api/auth/setup', setupBody)],
      bad: [json('POST', '/api/auth/setup', setupBody), json('POST', '/api/auth/setup', { username: 'x', password: 'short' })]
    },
    'POST /api/auth/login': {
      ok: [json('POST', '/api/auth/login', { ...setupBody, name: 'Contract phone' })],
      bad: [json('POST', '/api/auth/login', { ...setupBody, password: 'wrong password' }), json('POST', '/api/auth/login', { username: 'contract-admin' })]
    },
    'GET /api/auth/keys': { ok: [{ method: 'GET', url: '/api/auth/keys' }], bad: [{ method: 'GET', url: '/api/auth/keys', headers: bearer('snt_revoked') }] },
    'POST /api/auth/keys': {
      ok: [json('POST', '/api/auth/keys', { name: 'App' }), json('POST', '/api/auth/keys', { name: 'Analysis', role: 'worker' })],
      bad: [json('POST', '/api/auth/keys', { name: '' }), json('POST', '/api/auth/keys', { name: 'x', role: 'root' })]
    },
    'DELETE /api/auth/keys/{id}': {
      ok: [{ method: 'DELETE', url: `/api/auth/keys/${spareKey.apiKey.id}` }],
      bad: [{ method: 'DELETE', url: `/api/auth/keys/${spareKey.apiKey.id}` }, { method: 'DELETE', url: '/api/auth/keys/nope' }]
    },
    'GET /api/users/me': { ok: [{ method: 'GET', url: '/api/users/me' }], bad: [{ method: 'GET', url: '/api/users/me', headers: bearer('snt_nobody') }] },
    'PUT /api/users/me/password': {
      ok: [json('PUT', '/api/users/me/password', { oldPassword: setupBody.password, newPassword: setupBody.password, keepOtherKeys: true })],
      bad: [
        json('PUT', '/api/users/me/password', { oldPassword: 'not it at all', newPassword: 'whatever password' }),
        json('PUT', '/api/users/me/password', { oldPassword: setupBody.password, newPassword: 'short' })
      ]
    },
    'GET /api/users': { ok: [{ method: 'GET', url: '/api/users' }], bad: [{ method: 'GET', url: '/api/users', headers: bearer(person.key) }] },
    'POST /api/users': {
      ok: [json('POST', '/api/users', { username: 'contract-new', password: 'new password', displayName: 'New', role: 'user' })],
      bad: [json('POST', '/api/users', { username: 'CONTRACT-USER', password: 'taken password' }), json('POST', '/api/users', { username: 'a b', password: 'spaced name' })]
    },
    'GET /api/users/{id}': {
      ok: [{ method: 'GET', url: `/api/users/${person.id}` }],
      bad: [{ method: 'GET', url: `/api/users/${NO_SUCH_USER}` }, { method: 'GET', url: '/api/users/me2' }]
    },
    'PATCH /api/users/{id}': {
      ok: [json('PATCH', `/api/users/${person.id}`, { displayName: 'Person' }), json('PATCH', `/api/users/${person.id}`, { role: 'user', displayName: null })],
      bad: [json('PATCH', `/api/users/${person.id}`, {}), json('PATCH', `/api/users/${NO_SUCH_USER}`, { role: 'admin' }), json('PATCH', `/api/users/${person.id}`, { password: 'short' })]
    },
    'DELETE /api/users/{id}': {
      ok: [{ method: 'DELETE', url: `/api/users/${doomedUser.id}` }],
      bad: [{ method: 'DELETE', url: `/api/users/${doomedUser.id}` }, { method: 'DELETE', url: '/api/users/nope' }]
    },
    'GET /health': { ok: [{ method: 'GET', url: '/health' }], bad: [] },
    'GET /metrics': { ok: [{ method: 'GET', url: '/metrics' }], bad: [{ method: 'GET', url: '/metrics', headers: bearer('snt_revoked') }] },
    'GET /api/admin/status': { ok: [{ method: 'GET', url: '/api/admin/status' }], bad: [{ method: 'GET', url: '/api/admin/status', headers: bearer(person.key) }] },
    'GET /health/ready': { ok: [{ method: 'GET', url: '/health/ready' }], bad: [] },
    'POST /api/scan/start': {
      ok: [{ method: 'POST', url: '/api/scan/start' }, json('POST', '/api/scan/start', {})],
      bad: [
        { method: 'POST', url: '/api/scan/start', payload: '{not json', headers: { 'content-type': 'application/json' } },
        { method: 'POST', url: '/api/scan/start', payload: 'x', headers: { 'content-type': 'text/plain' } }
      ]
    },
    'GET /api/scan/status': { ok: [{ method: 'GET', url: '/api/scan/status' }], bad: [] },
    'GET /api/scans/{id}': {
      ok: [{ method: 'GET', url: `/api/scans/${finished.id}` }],
      bad: [{ method: 'GET', url: '/api/scans/not-a-uuid' }, { method: 'GET', url: `/api/scans/${NO_SUCH_ID}` }]
    },
    'GET /api/scan/events': { ok: [], bad: [] },
    'PUT /api/library/tracks/{id}/analysis': {
      ok: [json('PUT', `/api/library/tracks/${track.id}/analysis`, { bpm: 120, key: 'C', energy: 0.8 })],
      bad: [
        json('PUT', `/api/library/tracks/${track.id}/analysis`, [1, 2]),
        json('PUT', `/api/library/tracks/${NO_SUCH_ID}/analysis`, { bpm: 1 }),
        json('PUT', '/api/library/tracks/nope/analysis', { bpm: 1 })
      ]
    },
    'POST /api/analysis/backfill': {
      ok: [{ method: 'POST', url: '/api/analysis/backfill' }, json('POST', '/api/analysis/backfill', {})],
      bad: [
        { method: 'POST', url: '/api/analysis/backfill', headers: bearer(person.key) },
        { method: 'POST', url: '/api/analysis/backfill', payload: '{not json', headers: { 'content-type': 'application/json' } }
      ]
    },
    'GET /api/stream/{filePath}': streamCalls('/api/stream', 'GET'),
    'HEAD /api/stream/{filePath}': streamCalls('/api/stream', 'HEAD'),
    'GET /stream/{filePath}': streamCalls('/stream', 'GET'),
    'HEAD /stream/{filePath}': streamCalls('/stream', 'HEAD'),
    'GET /api/library/tracks': {
      ok: [
        { method: 'GET', url: '/api/library/tracks' },
        { method: 'GET', url: `/api/library/tracks?sort=year&order=desc&artistId=${track.artistId}&genre=Rock&year=1969&q=come&limit=5&offset=0` },
        ...whole('/api/library/tracks')
      ],
      bad: [{ method: 'GET', url: '/api/library/tracks?sort=nope' }, { method: 'GET', url: '/api/library/tracks?limit=1000000000' }, { method: 'GET', url: '/api/library/tracks?offset=-1' }, ...notWhole('/api/library/tracks')]
    },
    'GET /api/library/tracks/{id}': {
      ok: [{ method: 'GET', url: `/api/library/tracks/${track.id}` }],
      bad: [{ method: 'GET', url: '/api/library/tracks/xyz' }, { method: 'GET', url: `/api/library/tracks/${NO_SUCH_ID}` }]
    },
    'PATCH /api/library/tracks/{id}': {
      ok: [
        json('PATCH', `/api/library/tracks/${track.id}`, { isFavorite: true }),
        json('PATCH', `/api/library/tracks/${track.id}`, { rating: 5 }),
        json('PATCH', `/api/library/tracks/${track.id}`, { isFavorite: false, rating: null })
      ],
      bad: [
        json('PATCH', `/api/library/tracks/${track.id}`, { isFavorite: 'yes' }),
        json('PATCH', `/api/library/tracks/${track.id}`, { rating: 0 }),
        json('PATCH', `/api/library/tracks/${track.id}`, { rating: '3' }),
        json('PATCH', `/api/library/tracks/${track.id}`, { title: 'hacked' }),
        json('PATCH', `/api/library/tracks/${NO_SUCH_ID}`, { isFavorite: true })
      ]
    },
    'POST /api/library/tracks/{id}/played': {
      ok: [{ method: 'POST', url: `/api/library/tracks/${track.id}/played` }],
      bad: [{ method: 'POST', url: `/api/library/tracks/${NO_SUCH_ID}/played` }, { method: 'POST', url: '/api/library/tracks/1/played' }]
    },
    'GET /api/library/albums': {
      ok: [{ method: 'GET', url: '/api/library/albums' }, { method: 'GET', url: `/api/library/albums?sort=year&order=desc&artistId=${track.artistId}&q=abbey` }, ...whole('/api/library/albums')],
      bad: [{ method: 'GET', url: '/api/library/albums?sort=duration' }, { method: 'GET', url: '/api/library/albums?year=abc' }, ...notWhole('/api/library/albums')]
    },
    'GET /api/library/albums/{id}': {
      ok: [{ method: 'GET', url: `/api/library/albums/${track.albumId}` }],
      bad: [{ method: 'GET', url: `/api/library/albums/${NO_SUCH_ID}` }, { method: 'GET', url: '/api/library/albums/abc' }]
    },
    'GET /api/library/albums/{id}/tracks': {
      ok: [{ method: 'GET', url: `/api/library/albums/${track.albumId}/tracks` }, ...whole(`/api/library/albums/${track.albumId}/tracks`)],
      bad: [{ method: 'GET', url: `/api/library/albums/${NO_SUCH_ID}/tracks` }, { method: 'GET', url: `/api/library/albums/${NO_SUCH_ID}/tracks?limit=-1` }, ...notWhole(`/api/library/albums/${track.albumId}/tracks`)]
    },
    'GET /api/library/artists': {
      ok: [{ method: 'GET', url: '/api/library/artists' }, { method: 'GET', url: '/api/library/artists?sort=trackCount&order=desc&q=beat' }, ...whole('/api/library/artists')],
      bad: [{ method: 'GET', url: '/api/library/artists?order=sideways' }, ...notWhole('/api/library/artists')]
    },
    'GET /api/library/artists/{id}': {
      ok: [{ method: 'GET', url: `/api/library/artists/${track.artistId}` }],
      bad: [{ method: 'GET', url: `/api/library/artists/${NO_SUCH_ID}` }]
    },
    'GET /api/library/artists/{id}/albums': {
      ok: [{ method: 'GET', url: `/api/library/artists/${track.artistId}/albums` }, ...whole(`/api/library/artists/${track.artistId}/albums`)],
      bad: [{ method: 'GET', url: `/api/library/artists/${NO_SUCH_ID}/albums` }, { method: 'GET', url: `/api/library/artists/${track.artistId}/albums?limit=1e309` }, { method: 'GET', url: `/api/library/artists/${NO_SUCH_ID}/albums?limit=-1` }, ...notWhole(`/api/library/artists/${track.artistId}/albums`)]
    },
    'GET /api/library/artists/{id}/tracks': {
      ok: [{ method: 'GET', url: `/api/library/artists/${track.artistId}/tracks` }, ...whole(`/api/library/artists/${track.artistId}/tracks`)],
      bad: [{ method: 'GET', url: `/api/library/artists/${NO_SUCH_ID}/tracks` }, { method: 'GET', url: `/api/library/artists/${track.artistId}/tracks?offset=-5` }, { method: 'GET', url: `/api/library/artists/${NO_SUCH_ID}/tracks?limit=-1` }, ...notWhole(`/api/library/artists/${track.artistId}/tracks`)]
    },
    'GET /api/library/search': {
      ok: [{ method: 'GET', url: '/api/library/search?q=beatls' }, { method: 'GET', url: `/api/library/search?q=${encodeURIComponent('sigur ros')}&limit=5` }],
      bad: [{ method: 'GET', url: '/api/library/search' }, { method: 'GET', url: '/api/library/search?q=a&limit=-1' }]
    },
    'GET /api/library/alphabet-index': {
      ok: [{ method: 'GET', url: '/api/library/alphabet-index?type=tracks' }, { method: 'GET', url: '/api/library/alphabet-index?type=artists' }],
      bad: [{ method: 'GET', url: '/api/library/alphabet-index?type=genres' }]
    },
    'GET /api/library/stats': { ok: [{ method: 'GET', url: '/api/library/stats' }], bad: [] },
    'GET /api/library/playlists': {
      ok: [{ method: 'GET', url: '/api/library/playlists' }, { method: 'GET', url: '/api/library/playlists?type=' }, { method: 'GET', url: '/api/library/playlists?type=SMART' }],
      bad: [{ method: 'GET', url: '/api/library/playlists?type=radio' }]
    },
    'POST /api/library/playlists': {
      ok: [
        json('POST', '/api/library/playlists', { name: 'New', type: 'MANUAL', trackIds: [folder.id, folder.id] }),
        json('POST', '/api/library/playlists', { name: 'Smart', type: 'SMART', trackIds: [], rules: { match: 'any' }, description: 'Rules kept', public: true }),
        json('POST', '/api/library/playlists', { name: 'Queue', type: 'HISTORY_SNAPSHOT', trackIds: [bare.id] })
      ],
      bad: [
        json('POST', '/api/library/playlists', { name: 'x', type: 'MANUAL', trackIds: [NO_SUCH_ID] }),
        json('POST', '/api/library/playlists', { type: 'MANUAL', trackIds: [] }),
        json('POST', '/api/library/playlists', { name: 'x', type: 'MANUAL', rules: {} }),
        { method: 'POST', url: '/api/library/playlists', payload: 'x', headers: { 'content-type': 'text/plain' } }
      ]
    },
    'GET /api/library/playlists/{id}': {
      ok: [{ method: 'GET', url: `/api/library/playlists/${playlist}` }, { method: 'GET', url: `/api/library/playlists/${playlist.toUpperCase()}` }],
      bad: [{ method: 'GET', url: `/api/library/playlists/${NO_SUCH_ID}` }, { method: 'GET', url: '/api/library/playlists/nope' }]
    },
    'GET /api/library/playlists/{id}.m3u8': {
      ok: [{ method: 'GET', url: `/api/library/playlists/${playlist}.m3u8` }, { method: 'GET', url: `/api/library/playlists/${playlist.toUpperCase()}.m3u8` }],
      bad: [{ method: 'GET', url: `/api/library/playlists/${NO_SUCH_ID}.m3u8` }, { method: 'GET', url: '/api/library/playlists/nope.m3u8' }]
    },
    'PATCH /api/library/playlists/{id}': {
      ok: [
        json('PATCH', `/api/library/playlists/${playlist}`, { name: 'Renamed' }),
        json('PATCH', `/api/library/playlists/${playlist}`, { trackIds: [bare.id, track.id, bare.id] }),
        json('PATCH', `/api/library/playlists/${playlist}`, { description: 'Now described' }),
        json('PATCH', `/api/library/playlists/${playlist}`, { public: true })
      ],
      bad: [
        json('PATCH', `/api/library/playlists/${playlist}`, { trackIds: [NO_SUCH_ID] }),
        json('PATCH', `/api/library/playlists/${playlist}`, {}),
        json('PATCH', `/api/library/playlists/${playlist}`, { type: 'SMART' }),
        json('PATCH', `/api/library/playlists/${playlist}`, { public: 'yes' }),
        json('PATCH', `/api/library/playlists/${NO_SUCH_ID}`, { name: 'x' }),
        { method: 'PATCH', url: `/api/library/playlists/${playlist}`, payload: 'x', headers: { 'content-type': 'text/plain' } }
      ]
    },
    'DELETE /api/library/playlists/{id}': {
      ok: [{ method: 'DELETE', url: `/api/library/playlists/${doomed}`, headers: { 'content-type': 'application/json' } }],
      bad: [{ method: 'DELETE', url: `/api/library/playlists/${doomed}` }, { method: 'DELETE', url: '/api/library/playlists/nope' }]
    },
    'POST /api/library/playlists/{id}/tracks': {
      ok: [json('POST', `/api/library/playlists/${playlist}/tracks`, { trackIds: [folder.id, track.id] })],
      bad: [
        json('POST', `/api/library/playlists/${playlist}/tracks`, { trackIds: [NO_SUCH_ID] }),
        json('POST', `/api/library/playlists/${NO_SUCH_ID}/tracks`, { trackIds: [track.id] }),
        { method: 'POST', url: `/api/library/playlists/${playlist}/tracks`, payload: 'x', headers: { 'content-type': 'text/plain' } }
      ]
    },
    'DELETE /api/library/playlists/{id}/tracks': {
      ok: [json('DELETE', `/api/library/playlists/${playlist}/tracks`, { trackIds: [bare.id] })],
      bad: [
        json('DELETE', `/api/library/playlists/${playlist}/tracks`, { trackIds: [NO_SUCH_ID] }),
        json('DELETE', `/api/library/playlists/${playlist}/tracks`, {}),
        { method: 'DELETE', url: `/api/library/playlists/${playlist}/tracks`, payload: 'x', headers: { 'content-type': 'text/plain' } }
      ]
    },
    'GET /api/cover/{albumId}': {
      ok: [
        { method: 'GET', url: `/api/cover/${track.albumId}` },
        { method: 'GET', url: `/api/cover/${folder.albumId}` },
        { method: 'GET', url: `/api/cover/${track.albumId}`, headers: { 'if-none-match': coverEtag } },
        { method: 'GET', url: `/api/cover/${track.albumId}?size=64` }
      ],
      bad: [{ method: 'GET', url: `/api/cover/${bare.albumId}` }, { method: 'GET', url: '/api/cover/nope' }, { method: 'GET', url: `/api/cover/${track.albumId}?size=1` }]
    }
  }

  const problems: string[] = []
  const seen = new Map<string, Set<number>>()
  const record = (key: string, call: Call, res: LightMyRequestResponse): void => {
    const statuses = seen.get(key) ?? new Set<number>()
    statuses.add(res.statusCode)
    seen.set(key, statuses)
    const found = validator.check({ method: call.method, url: call.url, status: res.statusCode, contentType: res.headers['content-type'] as string | undefined, body: res.body })
    problems.push(...found.map((p) => `${p} [${call.method} ${call.url}]`))
    if (res.statusCode >= 500) problems.push(`${call.method} ${call.url} answered ${res.statusCode}`)
  }
  const send = async (target: TestApp, call: Call, key = admin.key): Promise<LightMyRequestResponse> =>
    await target.inject({ method: call.method as 'GET', url: call.url, headers: { ...bearer(key), ...call.headers }, payload: call.payload })

  for (const op of validator.operations) {
    const key = `${op.method} ${op.template}`
    const recipe = recipes[key]
    if (recipe === undefined) {
      problems.push(`${key} is documented but the contract suite has no requests for it`)
      continue
    }
    // A user's key and a worker key are refused before anything runs, exactly where the role
    // says so; where they are let in, the call is not made (it could change what follows).
    const role = (op.operation as unknown as Record<string, unknown>)['x-required-role']
    if (role !== undefined) {
      const probe = recipe.ok[0] ?? { method: op.method, url: op.template.replace(/\{[^}]+\}/g, NO_SUCH_ID) }
      for (const [who, probeKey, refused] of [['a user', person.key, role === 'admin' || role === 'analysis'], ['a worker', worker.key, role !== 'analysis']] as const) {
        if (!refused) continue
        const res = await send(app, probe, probeKey)
        t.equal(res.statusCode, 403, `${key} refuses ${who}'s key`)
        record(key, probe, res)
      }
    }
    for (const call of recipe.ok) {
      const res = await send(recipe.target ?? app, call)
      if (res.statusCode >= 400) problems.push(`${call.method} ${call.url} was meant to succeed: ${res.statusCode} ${res.body.slice(0, 200)}`)
      record(key, call, res)
    }
    for (const call of recipe.bad) {
      const res = await send(app, call)
      if (res.statusCode < 400 || res.statusCode >= 500) problems.push(`${call.method} ${call.url} was meant to fail with a 4xx: ${res.statusCode}`)
      record(key, call, res)
    }
    // With API_KEY set, a request without it is refused, with a documented 401.
    const documented401 = (op.operation.responses as Record<string, unknown>)['401'] !== undefined
    if (documented401) {
      const call = recipe.ok[0] ?? { method: op.method, url: op.template.replace(/\{[^}]+\}/g, NO_SUCH_ID) }
      const res = await send(keyed, { ...call, headers: { ...call.headers, authorization: 'Bearer wrong' } })
      t.equal(res.statusCode, 401, `${key} refuses a wrong API key`)
      record(key, call, res)
    }
  }

  // Server-Sent Events need a real socket: the stream never ends by itself.
  const address = await app.listen({ port: 0, host: '127.0.0.1' })
  const controller = new AbortController()
  const events = await fetch(`${address}/api/scan/events`, { signal: controller.signal, headers: bearer(admin.key) })
  record('GET /api/scan/events', { method: 'GET', url: '/api/scan/events' }, {
    statusCode: events.status,
    headers: { 'content-type': events.headers.get('content-type') ?? undefined },
    body: ''
  } as unknown as LightMyRequestResponse)
  t.match(events.headers.get('content-type'), /^text\/event-stream/)
  controller.abort()
  const keyedEvents = await keyed.inject('/api/scan/events')
  record('GET /api/scan/events', { method: 'GET', url: '/api/scan/events' }, keyedEvents)

  t.same(problems, [], 'every response matches the document, and every request did what it was meant to')
  for (const op of validator.operations) {
    const key = `${op.method} ${op.template}`
    const statuses = [...(seen.get(key) ?? [])]
    t.ok(statuses.some((s) => s >= 200 && s < 300), `${key} succeeded at least once (${statuses.join(', ')})`)
    const documents4xx = Object.keys(op.operation.responses).some((s) => /^4/.test(s))
    if (documents4xx) t.ok(statuses.some((s) => s >= 400 && s < 500), `${key} failed with a 4xx at least once`)
  }
})
