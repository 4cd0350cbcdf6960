// Every method the issue lists exists, and answers random and hostile parameters with an
// envelope (or media), never an HTTP 5xx, while the service keeps answering.
import t from 'tap'
import fc from 'fast-check'
import { subsonicLibrary } from '../../fixtures/subsonic.js'

const SEED = 20261129
const RUNS = Number(process.env.FUZZ_RUNS ?? 120)

const METHODS = [
  'ping', 'getLicense', 'getOpenSubsonicExtensions', 'tokenInfo', 'getMusicFolders', 'getUser',
  'getArtists', 'getArtist', 'getAlbum', 'getSong', 'getAlbumList2', 'getAlbumList', 'getRandomSongs', 'getGenres',
  'getStarred2', 'getStarred', 'search3', 'search2', 'getIndexes', 'getMusicDirectory',
  'getPlaylists', 'getPlaylist', 'createPlaylist', 'updatePlaylist', 'deletePlaylist',
  'star', 'unstar', 'setRating', 'scrobble', 'getNowPlaying', 'stream', 'download', 'getCoverArt',
  'getLyrics', 'getLyricsBySongId', 'getScanStatus', 'startScan',
  'getPlayQueue', 'savePlayQueue', 'getBookmarks', 'getInternetRadioStations', 'getPodcasts',
  'getArtistInfo2', 'getAlbumInfo2', 'getTopSongs', 'getSimilarSongs2'
]

const PARAMS = ['id', 'albumId', 'artistId', 'songId', 'playlistId', 'query', 'size', 'offset', 'count', 'type', 'fromYear',
  'toYear', 'genre', 'rating', 'time', 'submission', 'username', 'name', 'comment', 'public', 'songIdToAdd',
  'songIndexToRemove', 'current', 'position', 'artist', 'title', 'format', 'maxBitRate', 'timeOffset', 'musicFolderId',
  'ifModifiedSince', 'songCount', 'songOffset', 'albumCount', 'albumOffset', 'artistCount', 'artistOffset', 'f', 'callback', 'v', 'c']

const nasty = fc.constantFrom(
  '', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', 'false', '[]', '%', '\u0000', '\uD800', '../../etc/passwd', '/etc/passwd',
  '00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000000000', '9'.repeat(40), 'a'.repeat(5000),
  "'; DROP TABLE tracks; --", '<script>', '__proto__', 'constructor', 'al-x', 'ar-', '*', '""', 'random', 'byYear',
  'byGenre', 'starred', 'json', 'xml', 'jsonp', 'Rock', 'Björk', '500', '501', '2147483648', '-2147483649'
)
const value = fc.oneof(nasty, fc.string({ maxLength: 20 }), fc.integer({ min: -10, max: 1000 }).map(String), fc.uuid().map(String))
const request = fc.record({
  method: fc.constantFrom(...METHODS),
  view: fc.boolean(),
  post: fc.boolean(),
  params: fc.array(fc.tuple(fc.constantFrom(...PARAMS), value), { maxLength: 6 })
})

t.test('every listed method exists', async (t) => {
  const lib = await subsonicLibrary(t)
  for (const name of METHODS) {
    const res = await lib.raw(name, { apiKey: lib.admin.key, f: 'json' })
    t.ok(res.status < 500, `${name}: HTTP ${res.status}`)
    if (String(res.headers['content-type']).startsWith('application/json')) {
      t.notMatch(res.body, /Unknown method/, `${name} is a method`)
    }
  }
})

t.test('random and hostile parameters never get a 5xx', async (t) => {
  const lib = await subsonicLibrary(t)
  const keyParams: Array<[string, string]> = [['apiKey', lib.admin.key]]
  await fc.assert(fc.asyncProperty(request, async ({ method, view, post, params }) => {
    const all = new URLSearchParams([...keyParams, ...params])
    const url = `/rest/${method}${view ? '.view' : ''}`
    const res = post
      ? await lib.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: all.toString() })
      : await lib.app.inject({ method: 'GET', url: `${url}?${all.toString()}` })
    if (res.statusCode >= 500) throw new Error(`${method} ${all.toString().slice(0, 300)} → ${res.statusCode} ${res.body.slice(0, 300)}`)
    const type = String(res.headers['content-type'] ?? '')
    if (type.startsWith('application/json')) {
      const envelope = res.json()['subsonic-response']
      if (envelope?.openSubsonic !== true) throw new Error(`${method}: not an envelope: ${res.body.slice(0, 200)}`)
    }
  }), { seed: SEED, numRuns: RUNS })
  t.match(JSON.parse((await lib.raw('ping', { apiKey: lib.admin.key, f: 'json' })).body), { 'subsonic-response': { status: 'ok' } }, 'still answering')
})
