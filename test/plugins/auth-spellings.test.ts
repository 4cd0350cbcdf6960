// The key check attacked from outside, over a real socket: every operation of the OpenAPI
// document, spelled every way the router (or node's HTTP parser) may read as the same route.
import t from 'tap'
import { join } from 'node:path'
import type { OpenAPIV3 } from 'openapi-types'
import { build, tempDir } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { probeRequest } from '../fixtures/http.js'

const KEY = 'spelling-test-key'
const AUTH = { authorization: `Bearer ${KEY}` }
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'
const METHODS = ['get', 'head', 'post', 'put', 'patch', 'delete'] as const

const pct = (c: string, upper = false): string => {
  const hex = c.charCodeAt(0).toString(16).padStart(2, '0')
  return `%${upper ? hex.toUpperCase() : hex}`
}

// Spellings of one concrete path: [label, request target]. Only path segments made of letters
// are respelled, so ids and file paths stay as they are.
function spellings (path: string): Array<[string, string]> {
  const segments = path.split('/').slice(1)
  const word = (s: string): boolean => /^[a-z][a-z-]*$/i.test(s)
  const rejoin = (parts: string[]): string => `/${parts.join('/')}`
  const firstEncoded = rejoin(segments.map((s, i) => i === 0 ? pct(s[0]) + s.slice(1) : s))
  return [
    ['as documented', path],
    ['first letter percent-encoded', firstEncoded],
    ['every letter percent-encoded', rejoin(segments.map((s) => word(s) ? [...s].map((c) => pct(c, true)).join('') : s))],
    ['double-encoded', rejoin(segments.map((s, i) => i === 0 ? `%25${pct(s[0]).slice(1)}${s.slice(1)}` : s))],
    ['upper case', rejoin(segments.map((s) => word(s) ? s.toUpperCase() : s))],
    ['mixed case', rejoin(segments.map((s) => word(s) ? s[0].toUpperCase() + s.slice(1) : s))],
    ['trailing slash', `${path}/`],
    ['encoded and trailing slash', `${firstEncoded}/`],
    ['encoded slashes', path.replace(/\//g, '%2F').replace(/^%2F/, '/')],
    ['leading double slash', `/${path}`],
    ['absolute-form', `http://any-host${path}`],
    ['absolute-form with port, upper-case scheme', `HTTP://ANY-HOST:1${path}`],
    ['absolute-form, encoded', `http://any-host${firstEncoded}`],
    ['absolute-form, trailing slash', `http://any-host${path}/`],
    ['empty api_key', `${path}?api_key=`],
    ['wrong api_key', `${path}?api_key=${KEY}x`],
    ['api_key with a different case', `${path}?API_KEY=${KEY}`]
  ]
}

t.test('without the key every protected operation is a 401, however it is spelled', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(join(media, 'Artist', 'Album'), 'mp3', { cover: true, tags: { title: 'Song', artist: 'Artist', album: 'Album' } })
  const app = await build(t, { mediaPath: media, env: { API_KEY: KEY } })
  const finished = await scan(app, AUTH)
  t.equal(finished.status, 'completed')
  const track = ((await app.inject({ url: '/api/library/tracks', headers: AUTH })).json() as { tracks: Array<Record<string, string>> }).tracks[0]
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  const scanCount = async (): Promise<number> => Number((await app.pg.query('SELECT count(*) AS n FROM scans')).rows[0].n)
  // Anyone's state of the track: no row at all until someone saves some.
  const states = async (): Promise<number> => Number((await app.pg.query('SELECT count(*) AS n FROM user_track_state WHERE track_id = $1', [track.id])).rows[0].n)

  await t.test('requests that would change something change nothing', async (t) => {
    const scans = await scanCount()
    const json = { 'content-type': 'application/json' }
    const attempts: Array<[string, string, string | undefined]> = [
      ['POST', '/%61pi/scan/start', '{}'],
      ['POST', 'http://any-host/api/scan/start', '{}'],
      ['POST', '/api/scan/start/', '{}'],
      ['PATCH', `/%61pi/library/tracks/${track.id}`, '{"isFavorite":true}'],
      ['PATCH', `http://any-host/api/library/tracks/${track.id}`, '{"isFavorite":true}'],
      ['PATCH', `/api/%6Cibrary/tracks/${track.id}/`, '{"isFavorite":true}'],
      ['POST', `/%61pi/library/tracks/${track.id}/played`, undefined],
      ['PUT', `/%61pi/library/tracks/${track.id}/analysis`, '{"bpm":1}']
    ]
    for (const [method, target, body] of attempts) {
      const res = await probeRequest(base, target, { method, headers: body === undefined ? {} : json, body })
      t.equal(res.status, 401, `${method} ${target}`)
    }
    t.equal(await scanCount(), scans, 'no scan was started')
    t.equal(await states(), 0, 'no favourite set, no play counted')
    const row = (await app.pg.query('SELECT analysis FROM tracks WHERE id = $1', [track.id])).rows[0]
    t.equal(row.analysis, null, 'no analysis was written')

    for (const target of [`/%73tream/${track.id}`, `http://any-host/stream/${track.id}`, `/%61pi/stream/${track.id}`, `/%61pi/cover/${track.albumId}`]) {
      const res = await probeRequest(base, target)
      t.equal(res.status, 401, `GET ${target}`)
      t.match(res.headers['content-type'], /^application\/json/, 'an error, not the media')
    }
  })

  await t.test('every operation of the document, every spelling, with and without the key', async (t) => {
    const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
    const value = (template: string, param: string): string => {
      if (param === 'filePath') return String(track.filePath).split('/').map(encodeURIComponent).join('/')
      if (param === 'albumId' || template.startsWith('/api/library/albums/')) return track.albumId
      if (template.startsWith('/api/library/artists/')) return track.artistId
      if (template.startsWith('/api/library/tracks/')) return track.id
      if (template.startsWith('/api/scans/')) return finished.id
      return NO_SUCH_ID
    }
    let operations = 0
    const problems: string[] = []
    for (const [template, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item?.[method]
        if (op === undefined) continue
        operations++
        const isPublic = Array.isArray(op.security) && op.security.length === 0
        const path = template.replace(/\{(\w+)\}/g, (_m, name: string) => value(template, name))
        const body = ['post', 'put', 'patch', 'delete'].includes(method) ? '{}' : undefined
        const headers: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' }
        for (const [label, target] of spellings(path)) {
          const what = `${method.toUpperCase()} ${template} ${label} (${target})`
          const without = await probeRequest(base, target, { method: method.toUpperCase(), headers, body })
          if (isPublic) {
            if (without.status >= 500) problems.push(`${what} without a key: ${without.status}`)
          } else if (without.status !== 401) {
            problems.push(`${what} without a key: ${without.status}, wanted 401`)
          }
          if (label.includes('api_key')) continue
          const withKey = await probeRequest(base, target, { method: method.toUpperCase(), headers: { ...headers, ...AUTH }, body })
          if (withKey.status === 401 || withKey.status >= 500) problems.push(`${what} with the key: ${withKey.status}`)
        }
        if (isPublic) {
          const res = await probeRequest(base, path, { method: method.toUpperCase() })
          // A public operation that takes a body (login) answers its missing body, not the key.
          const answered = res.status === 200 || (op.requestBody !== undefined && res.status === 400)
          if (!answered) problems.push(`public ${method.toUpperCase()} ${path} without a key: ${res.status}`)
        } else {
          const res = await probeRequest(base, `${path}${path.includes('?') ? '&' : '?'}api_key=${KEY}`, { method: method.toUpperCase(), headers, body })
          if (res.status === 401) problems.push(`${method.toUpperCase()} ${path}?api_key=<key>: 401`)
        }
      }
    }
    t.ok(operations >= 20, `walked ${operations} operations`)
    t.same(problems, [], 'no spelling gets past the check, and the key opens every one')
  })
})
