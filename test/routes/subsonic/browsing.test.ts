import t from 'tap'
import { join } from 'node:path'
import { XMLParser } from 'fast-xml-parser'
import { subsonicLibrary } from '../../fixtures/subsonic.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { scan } from '../../fixtures/scan.js'

const ARTICLES = 'The El La Los Las Le Les Die Das Der'
const NO_SUCH_ID = '00000000-0000-4000-8000-000000000000'

// One library for the whole file (building one costs seconds); the test that adds artists to
// it runs last.
const lib = await subsonicLibrary(t)

// The error code of a raw JSON call; undefined when it succeeded.
async function errorCode (method: string, query: Record<string, string>): Promise<number | undefined> {
  const res = await lib.raw(method, { apiKey: lib.admin.key, f: 'json', ...query })
  if (res.status !== 200) throw new Error(`${method} answered HTTP ${res.status}`)
  return JSON.parse(res.body)['subsonic-response'].error?.code
}

t.test('getArtists → getArtist → getAlbum → getSong link up', async (t) => {
  const { artists } = await lib.client.getArtists()
  t.equal(artists.ignoredArticles, ARTICLES)
  // "The Beatles" files under B with "Björk", the article ignored and the accent folded.
  t.same(artists.index?.map((i) => i.name), ['B'])
  const listed = artists.index?.[0].artist ?? []
  t.same(listed.map((a) => a.name), ['The Beatles', 'Björk'])
  t.match(listed[0], { albumCount: 1, coverArt: /^[0-9a-f-]{36}$/ })

  const { artist } = await lib.client.getArtist({ id: listed[0].id })
  t.match(artist, { id: listed[0].id, name: 'The Beatles', albumCount: 1 })
  t.equal(artist.album?.length, 1)
  const albumRef = artist.album?.[0]
  t.match(albumRef, { name: 'Abbey Road', artist: 'The Beatles', artistId: artist.id, songCount: 3, year: 1969, genre: 'Rock', coverArt: albumRef?.id })

  const { album } = await lib.client.getAlbum({ id: albumRef?.id ?? '' })
  t.match(album, { id: albumRef?.id, name: 'Abbey Road', artistId: artist.id, songCount: 3, duration: 9 })
  t.same(album.song?.map((s) => [s.track, s.title]), [[1, 'Come Together'], [2, 'Something'], [3, 'Maxwell\'s Silver Hammer']])
  t.ok(album.song?.every((s) => s.albumId === album.id && s.parent === album.id && s.artistId === artist.id))

  const first = album.song?.[0]
  const { song } = await lib.client.getSong({ id: first?.id ?? '' })
  t.match(song, { id: first?.id, title: 'Come Together', album: 'Abbey Road', artist: 'The Beatles', albumId: album.id, artistId: artist.id })
  t.match(song, { isDir: false, suffix: 'mp3', contentType: 'audio/mpeg', duration: 3, year: 1969, genre: 'Rock', type: 'music' })
  t.equal(song.created instanceof Date, true)
  t.equal((await lib.client.getSong({ id: album.song?.[2].id ?? '' })).song.suffix, 'flac')

  const bjork = await lib.client.getArtist({ id: listed[1].id })
  t.same(bjork.artist.album?.map((a) => a.name), ['Homogenic'])
  const homogenic = await lib.client.getAlbum({ id: bjork.artist.album?.[0].id ?? '' })
  t.same(homogenic.album.song?.map((s) => s.title), ['Hunter', 'Jóga'])

  // The same index as XML: one element per letter, artists inside, the articles as an attribute.
  const xml = await lib.raw('getArtists', { apiKey: lib.admin.key })
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'index' || name === 'artist' }).parse(xml.body)
  const root = parsed['subsonic-response'].artists
  t.equal(root.ignoredArticles, ARTICLES)
  t.same(root.index.map((i: { name: string }) => i.name), ['B'])
  t.same(root.index[0].artist.map((a: { name: string }) => a.name), ['The Beatles', 'Björk'])
})

t.test('getMusicDirectory: artist → albums → songs', async (t) => {
  const { indexes } = await lib.client.getIndexes()
  const beatles = indexes.index?.[0].artist?.find((a) => a.name === 'The Beatles')
  const top = await lib.client.getMusicDirectory({ id: beatles?.id ?? '' })
  t.match(top.directory, { id: beatles?.id, name: 'The Beatles' })
  t.equal(top.directory.parent, undefined)
  t.equal(top.directory.child?.length, 1)
  const folder = top.directory.child?.[0]
  t.match(folder, { isDir: true, title: 'Abbey Road', parent: beatles?.id, artist: 'The Beatles', year: 1969, coverArt: folder?.id })

  const inner = await lib.client.getMusicDirectory({ id: folder?.id ?? '' })
  t.match(inner.directory, { id: folder?.id, parent: beatles?.id, name: 'Abbey Road' })
  t.same(inner.directory.child?.map((c) => [c.isDir, c.title, c.parent]), [
    [false, 'Come Together', folder?.id], [false, 'Something', folder?.id], [false, 'Maxwell\'s Silver Hammer', folder?.id]
  ])

  // A song is not a directory; neither is an id nobody handed out.
  const songId = inner.directory.child?.[0].id ?? ''
  t.equal(await errorCode('getMusicDirectory', { id: songId }), 70)
  t.equal(await errorCode('getMusicDirectory', { id: NO_SUCH_ID }), 70)
  t.equal(await errorCode('getMusicDirectory', { id: 'al-1' }), 70)
  t.equal(await errorCode('getMusicDirectory', {}), 10)
})

t.test('getGenres counts songs and albums per genre', async (t) => {
  const { genres } = await lib.client.getGenres()
  t.same(genres.genre, [
    { songCount: 2, albumCount: 1, value: 'Electronic' },
    { songCount: 3, albumCount: 1, value: 'Rock' }
  ])
  const xml = await lib.raw('getGenres', { apiKey: lib.admin.key })
  t.match(xml.body, /<genre songCount="3" albumCount="1">Rock<\/genre>/)
})

t.test('info methods: empty answers for what exists, 70 for what does not', async (t) => {
  const { artists } = await lib.client.getArtists()
  const artistId = artists.index?.[0].artist?.[0].id ?? ''
  const albumId = (await lib.client.getArtist({ id: artistId })).artist.album?.[0].id ?? ''
  const songId = (await lib.client.getAlbum({ id: albumId })).album.song?.[0].id ?? ''

  t.same((await lib.client.getArtistInfo2({ id: artistId })).artistInfo2, {})
  t.same((await lib.client.getArtistInfo({ id: artistId })).artistInfo, {})
  t.same((await lib.client.getAlbumInfo2({ id: albumId })).albumInfo, {})
  t.same((await lib.client.getAlbumInfo({ id: albumId })).albumInfo, {})
  t.same((await lib.client.getTopSongs({ artist: 'The Beatles' })).topSongs, { song: [] })
  t.same((await lib.client.getSimilarSongs2({ id: artistId })).similarSongs2, { song: [] })
  for (const id of [artistId, albumId, songId]) t.same((await lib.client.getSimilarSongs({ id })).similarSongs, { song: [] })

  for (const method of ['getArtistInfo', 'getArtistInfo2', 'getSimilarSongs2']) {
    t.equal(await errorCode(method, { id: albumId }), 70, `${method} of an album id`)
    t.equal(await errorCode(method, { id: NO_SUCH_ID }), 70, method)
    t.equal(await errorCode(method, {}), 10, method)
  }
  for (const method of ['getAlbumInfo', 'getAlbumInfo2']) {
    t.equal(await errorCode(method, { id: artistId }), 70, `${method} of an artist id`)
    t.equal(await errorCode(method, {}), 10, method)
  }
  t.equal(await errorCode('getSimilarSongs', { id: NO_SUCH_ID }), 70)
  t.equal(await errorCode('getTopSongs', {}), 10)
})

t.test('unknown and missing ids', async (t) => {
  for (const method of ['getArtist', 'getAlbum', 'getSong']) {
    t.equal(await errorCode(method, { id: NO_SUCH_ID }), 70, `${method} unknown`)
    t.equal(await errorCode(method, { id: 'not-a-uuid' }), 70, `${method} not an id`)
    t.equal(await errorCode(method, { id: '' }), 10, `${method} empty`)
    t.equal(await errorCode(method, {}), 10, `${method} missing`)
  }
  const { artists } = await lib.client.getArtists()
  const artistId = artists.index?.[0].artist?.[0].id ?? ''
  // Each kind of id only where it belongs.
  t.equal(await errorCode('getAlbum', { id: artistId }), 70)
  t.equal(await errorCode('getSong', { id: artistId }), 70)
})

t.test('index letters and getIndexes, with a digit-named and an accented artist added', async (t) => {
  const before = (await lib.client.getIndexes()).indexes.lastModified
  const single = async (artist: string, title: string) => await writeAudioFixture(join(lib.media, artist, title), 'mp3', {
    name: `1 ${title}`, seconds: 3, tags: { title, artist, albumArtist: artist, album: title, track: '1', date: '1975', genre: 'Pop' }
  })
  await single('10cc', 'I\'m Not in Love')
  await single('Édith Piaf', 'La Vie en rose')
  await scan(lib.app, lib.admin.headers)

  const { artists } = await lib.client.getArtists({ musicFolderId: 1 })
  t.same(artists.index?.map((i) => [i.name, i.artist?.map((a) => a.name)]), [
    ['B', ['The Beatles', 'Björk']],
    ['E', ['Édith Piaf']],
    ['#', ['10cc']]
  ])

  const { indexes } = await lib.client.getIndexes({ musicFolderId: 1 })
  t.equal(indexes.ignoredArticles, ARTICLES)
  t.ok(indexes.lastModified > before, 'a scan that added artists moves lastModified')
  t.ok(Math.abs(indexes.lastModified - Date.now()) < 60_000, 'lastModified is in milliseconds')
  t.same(indexes.index?.map((i) => [i.name, i.artist?.map((a) => a.name)]), [
    ['B', ['The Beatles', 'Björk']],
    ['E', ['Édith Piaf']],
    ['#', ['10cc']]
  ])
  t.match(indexes.index?.[2].artist?.[0], { id: /^[0-9a-f-]{36}$/, albumCount: 1 })
  // The ids are the same artists getArtists lists.
  t.same(indexes.index?.flatMap((i) => i.artist?.map((a) => a.id)), artists.index?.flatMap((i) => i.artist?.map((a) => a.id)))

  // Nothing new since the client's copy: no index, the same lastModified.
  const unchanged = await lib.client.getIndexes({ ifModifiedSince: indexes.lastModified })
  t.same(unchanged.indexes, { lastModified: indexes.lastModified, ignoredArticles: ARTICLES })
  const older = await lib.client.getIndexes({ ifModifiedSince: indexes.lastModified - 1 })
  t.equal(older.indexes.index?.length, 3)
})
