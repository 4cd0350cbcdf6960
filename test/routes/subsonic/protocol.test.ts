// The protocol itself: both spellings of a method, GET and form POST, query and form merged,
// the three encodings of one answer, errors in an envelope, and what no method may ever do.
import t from 'tap'
import { subsonicLibrary } from '../../fixtures/subsonic.js'
import { canonicalFromJson, canonicalFromXml } from '../../fixtures/subsonic-xml.js'
import { libraryIds } from '../../fixtures/subsonic-items.js'

t.test('methods answer as X and X.view, over GET, HEAD and form POST', async (t) => {
  const lib = await subsonicLibrary(t)
  const key = lib.admin.key
  for (const name of ['ping', 'ping.view']) {
    const get = await lib.raw(name, { apiKey: key, f: 'json' })
    t.match(JSON.parse(get.body), { 'subsonic-response': { status: 'ok' } }, `GET ${name}`)
    const post = await lib.raw(name, {}, { method: 'POST', form: `apiKey=${key}&f=json` })
    t.match(JSON.parse(post.body), { 'subsonic-response': { status: 'ok' } }, `POST ${name}`)
    const head = await lib.app.inject({ method: 'HEAD', url: `/rest/${name}?apiKey=${key}` })
    t.equal(head.statusCode, 200, `HEAD ${name}`)
    t.equal(head.body, '', 'without a body')
  }
  // The query and the form are one set of parameters.
  const merged = await lib.raw('getUser', { f: 'json' }, { method: 'POST', form: `apiKey=${key}&username=ana` })
  t.match(JSON.parse(merged.body), { 'subsonic-response': { user: { username: 'ana' } } }, 'query and form merged')
  const other = await lib.app.inject({ method: 'POST', url: `/rest/ping?apiKey=${key}&f=json`, headers: { 'content-type': 'application/octet-stream' }, payload: 'x' })
  t.equal(other.statusCode, 200, 'a body of another type is an error in the envelope')
  t.match(other.json(), { 'subsonic-response': { status: 'failed', error: { code: 0 } } })
})

t.test('xml by default, json, jsonp with a checked callback', async (t) => {
  const lib = await subsonicLibrary(t)
  const key = lib.admin.key
  const xml = await lib.raw('getMusicFolders', { apiKey: key })
  t.equal(xml.headers['content-type'], 'text/xml; charset=utf-8')
  t.match(xml.body, /^<\?xml version="1.0" encoding="UTF-8"\?><subsonic-response xmlns="http:\/\/subsonic.org\/restapi" status="ok" version="1.16.1" type="sonantica" serverVersion="[^"]+" openSubsonic="true"><musicFolders><musicFolder id="1" name="Music"\/><\/musicFolders><\/subsonic-response>$/)
  t.equal((await lib.raw('ping', { apiKey: key, f: 'XML' })).headers['content-type'], 'text/xml; charset=utf-8', 'any case')
  t.equal((await lib.raw('ping', { apiKey: key, f: 'yaml' })).headers['content-type'], 'text/xml; charset=utf-8', 'an unknown format is xml')

  const json = await lib.raw('getMusicFolders', { apiKey: key, f: 'json' })
  t.equal(json.headers['content-type'], 'application/json; charset=utf-8')
  t.same(JSON.parse(json.body)['subsonic-response'].musicFolders, { musicFolder: [{ id: 1, name: 'Music' }] }, 'a list is an array, the folder id a number')

  const jsonp = await lib.raw('ping', { apiKey: key, f: 'jsonp', callback: 'jQuery123_456.done' })
  t.equal(jsonp.headers['content-type'], 'application/javascript; charset=utf-8')
  t.match(jsonp.body, /^jQuery123_456\.done\(\{"subsonic-response":\{"status":"ok".*\}\);$/)
  for (const callback of ['alert(1)', '</script>', 'a b', '1abc', 'x'.repeat(100)]) {
    const bad = await lib.raw('ping', { apiKey: key, f: 'jsonp', callback })
    t.equal(bad.headers['content-type'], 'application/json; charset=utf-8', `callback ${JSON.stringify(callback.slice(0, 12))} is refused as JSON`)
    t.match(JSON.parse(bad.body), { 'subsonic-response': { status: 'failed', error: { code: 0 } } })
    t.notMatch(bad.body, callback.slice(0, 12), 'and not echoed')
  }
  t.match(JSON.parse((await lib.raw('ping', { apiKey: key, f: 'jsonp' })).body), { 'subsonic-response': { error: { code: 10 } } }, 'jsonp without a callback')
})

t.test('errors are envelopes: unknown methods, bad parameters, in both encodings', async (t) => {
  const lib = await subsonicLibrary(t)
  const key = lib.admin.key
  const unknown = await lib.raw('getVideos', { apiKey: key })
  t.equal(unknown.status, 200)
  t.match(unknown.body, /<subsonic-response xmlns="http:\/\/subsonic.org\/restapi" status="failed" [^>]*openSubsonic="true"><error code="0" message="Unknown method &apos;getVideos&apos;"\/><\/subsonic-response>$/)
  const missing = JSON.parse((await lib.raw('getUser', { apiKey: key, f: 'json' })).body)['subsonic-response']
  t.match(missing, { status: 'failed', error: { code: 10, message: /username/ } })
  const nul = JSON.parse((await lib.raw('getUser', { apiKey: key, f: 'json', username: 'a\u0000b' })).body)['subsonic-response']
  t.match(nul, { status: 'failed', error: { code: 0 } }, 'NUL in a parameter')
  const unauthenticatedUnknown = await lib.raw('nope', { f: 'json' })
  t.match(JSON.parse(unauthenticatedUnknown.body), { 'subsonic-response': { status: 'failed' } })
})

t.test('XML and JSON are the same answer', async (t) => {
  const lib = await subsonicLibrary(t)
  const key = lib.admin.key
  const calls: Array<[string, Record<string, string>]> = [
    ['ping', {}], ['getLicense', {}], ['getOpenSubsonicExtensions', {}], ['getMusicFolders', {}],
    ['getUser', { username: 'ana' }], ['getScanStatus', {}], ['getUser', {}], ['nope', {}]
  ]
  for (const [name, query] of calls) {
    const json = canonicalFromJson((await lib.raw(name, { ...query, apiKey: key, f: 'json' })).body)
    const xml = canonicalFromXml((await lib.raw(name, { ...query, apiKey: key })).body)
    t.equal(xml.namespace, 'http://subsonic.org/restapi')
    t.same(xml.tree, json, `${name}: the same tree`)
  }
})

t.test('XML and JSON are the same answer for every read the apps make', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const song = ids.songs.Something
  const album = ids.albums['Abbey Road']
  const artist = ids.artists['The Beatles']
  // Some state, so the answers carry stars, ratings, plays and a playlist.
  await lib.client.star({ id: song, albumId: album, artistId: artist })
  await lib.client.setRating({ id: song, rating: 4 })
  await lib.client.scrobble({ id: song, submission: true })
  await lib.client.scrobble({ id: song, submission: false })
  const made = await lib.client.createPlaylist({ name: 'Mix & <match>', songId: [song, ids.songs.Hunter] })
  const playlist = (made as unknown as { playlist: { id: string } }).playlist.id
  await lib.client.savePlayQueue({ id: [song, ids.songs.Hunter], current: song, position: 1000 })
  const calls: Array<[string, Record<string, string>]> = [
    ['getArtists', {}], ['getIndexes', {}], ['getArtist', { id: artist }], ['getAlbum', { id: album }], ['getSong', { id: song }],
    ['getMusicDirectory', { id: artist }], ['getMusicDirectory', { id: album }], ['getGenres', {}],
    ...['random', 'newest', 'highest', 'frequent', 'recent', 'alphabeticalByName', 'alphabeticalByArtist', 'starred']
      .map((type): [string, Record<string, string>] => ['getAlbumList2', { type }]),
    ['getAlbumList2', { type: 'byYear', fromYear: '2000', toYear: '1960' }], ['getAlbumList2', { type: 'byGenre', genre: 'Rock' }],
    ['getAlbumList', { type: 'alphabeticalByName' }], ['getStarred2', {}], ['getStarred', {}],
    ['search3', { query: '' }], ['search3', { query: 'something' }], ['search2', { query: '' }],
    ['getPlaylists', {}], ['getPlaylist', { id: playlist }], ['getPlayQueue', {}], ['getNowPlaying', {}],
    ['getLyricsBySongId', { id: song }], ['getUser', { username: 'ana' }], ['getScanStatus', {}],
    ['getBookmarks', {}], ['getInternetRadioStations', {}], ['getPodcasts', {}], ['getTopSongs', { artist: 'The Beatles' }],
    ['getSimilarSongs2', { id: artist }], ['getArtistInfo2', { id: artist }], ['getAlbumInfo2', { id: album }],
    ['getSong', { id: '00000000-0000-4000-8000-000000000001' }]
  ]
  for (const [name, query] of calls) {
    const jsonText = (await lib.raw(name, { ...query, apiKey: lib.admin.key, f: 'json' })).body
    const json = canonicalFromJson(jsonText)
    const xml = canonicalFromXml((await lib.raw(name, { ...query, apiKey: lib.admin.key })).body)
    t.equal(xml.namespace, 'http://subsonic.org/restapi', `${name}: namespace`)
    // A random list is drawn again for the second call: only its shape is the same.
    if (query.type === 'random') continue
    t.same(xml.tree, json, `${name} ${JSON.stringify(query)}: the same tree`)
    t.notMatch(jsonText, /":(""|null)[,}]/, `${name}: nothing unset is sent as "" or null`)
  }
})

t.test('everything under /rest answers in an envelope: other verbs, the bare prefix, a Basic header without a colon', async (t) => {
  const lib = await subsonicLibrary(t)
  for (const [method, url] of [['PUT', '/rest/ping'], ['DELETE', '/rest/ping.view'], ['PATCH', '/rest/x'], ['GET', '/rest'], ['GET', '/rest/'], ['POST', '/rest']] as const) {
    const res = await lib.app.inject({ method, url: `${url}?f=json&apiKey=${lib.admin.key}` })
    t.equal(res.statusCode, 200, `${method} ${url}`)
    t.match(res.json(), { 'subsonic-response': { status: 'failed', error: { code: 0 } } })
  }
  const noColon = await lib.raw('ping', { f: 'json' }, { headers: { authorization: `Basic ${Buffer.from('ana').toString('base64')}` } })
  t.match(JSON.parse(noColon.body), { 'subsonic-response': { error: { code: 40 } } }, 'a Basic login without a password is a wrong one')
})
