import t from 'tap'
import { apiKeyClient, subsonicLibrary } from '../../fixtures/subsonic.js'
import { libraryIds, trackAsSeenBy } from '../../fixtures/subsonic-items.js'
import { addUser } from '../../fixtures/users.js'

const UNKNOWN = '00000000-0000-4000-8000-00000000dead'

t.test('star, unstar, setRating and the starred lists', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const { client } = lib
  const before = Date.now()

  t.match(await client.star({ id: ids.songs.Hunter }), { status: 'ok' })
  t.match(await client.star({ albumId: ids.albums['Abbey Road'] }), { status: 'ok' })
  t.match(await client.star({ artistId: ids.artists['Björk'] }), { status: 'ok' })
  // The folder-style apps star an album folder by `id`.
  t.match(await client.star({ id: ids.albums.Homogenic }), { status: 'ok' })

  const { starred2 } = await client.getStarred2()
  t.same(starred2.song?.map((s) => s.title), ['Hunter'])
  t.same(starred2.album?.map((a) => a.name), ['Homogenic', 'Abbey Road'], 'newest star first')
  t.same(starred2.artist?.map((a) => a.name), ['Björk'])
  for (const item of [...starred2.song ?? [], ...starred2.album ?? [], ...starred2.artist ?? []]) {
    const at = new Date(item.starred as Date).getTime()
    t.ok(at >= before - 1000 && at <= Date.now() + 1000, `${item.id} starred now`)
  }
  t.match(starred2.album?.[1], { id: ids.albums['Abbey Road'], artist: 'The Beatles', songCount: 3 })
  t.match(starred2.song?.[0], { id: ids.songs.Hunter, album: 'Homogenic', isDir: false })
  t.equal((await trackAsSeenBy(lib, ids.songs.Hunter)).isFavorite, true, 'the same favourite as /api')

  const { starred } = await client.getStarred()
  t.match(starred.album?.[0], { id: ids.albums.Homogenic, isDir: true, title: 'Homogenic', parent: ids.artists['Björk'] })
  t.match(starred.artist?.[0], { id: ids.artists['Björk'], name: 'Björk' })
  t.same(starred.song?.map((s) => s.id), [ids.songs.Hunter])

  await client.unstar({ id: ids.songs.Hunter, albumId: [ids.albums['Abbey Road'], ids.albums.Homogenic], artistId: ids.artists['Björk'] })
  t.same((await client.getStarred2()).starred2, { artist: [], album: [], song: [] }, 'unstarred, empty lists kept')
  t.equal((await trackAsSeenBy(lib, ids.songs.Hunter)).isFavorite, false)

  // Ratings: a song, an album, an artist; 0 clears.
  await client.setRating({ id: ids.songs.Something, rating: 4 })
  t.equal((await trackAsSeenBy(lib, ids.songs.Something)).rating, 4)
  await client.setRating({ id: ids.songs.Something, rating: 0 })
  t.equal((await trackAsSeenBy(lib, ids.songs.Something)).rating, null)
  await client.star({ albumId: ids.albums.Homogenic, artistId: ids.artists['The Beatles'] })
  for (const rating of [1, 2, 3, 4, 5] as const) {
    t.match(await client.setRating({ id: ids.albums.Homogenic, rating }), { status: 'ok' })
    t.equal((await client.getStarred2()).starred2.album?.[0].userRating, rating)
  }
  await client.setRating({ id: ids.artists['The Beatles'], rating: 3 })
  t.match((await client.getStarred2()).starred2.artist?.[0], { name: 'The Beatles', userRating: 3 })
  await client.setRating({ id: ids.albums.Homogenic, rating: 0 })
  t.notOk('userRating' in ((await client.getStarred2()).starred2.album?.[0] ?? {}), 'rating 0 leaves it unrated')

  t.match(await client.setRating({ id: ids.songs.Something, rating: 6 as 5 }), { status: 'failed', error: { code: 0 } })
  t.match(await client.customJSON('setRating', { id: ids.songs.Something }), { status: 'failed', error: { code: 10 } })
  t.match(await client.customJSON('setRating', { rating: '3' }), { status: 'failed', error: { code: 10 } })
  t.match(await client.setRating({ id: UNKNOWN, rating: 3 }), { status: 'failed', error: { code: 70 } })
  t.match(await client.setRating({ id: 'not-an-id', rating: 3 }), { status: 'failed', error: { code: 70 } })
})

t.test('star and unstar change nothing when one id is unknown', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const { client } = lib
  for (const args of [
    { id: [ids.songs.Hunter, UNKNOWN] },
    { id: ids.songs.Hunter, albumId: UNKNOWN },
    { id: ids.songs.Hunter, albumId: ids.albums.Homogenic, artistId: 'artist-1' },
    { albumId: ids.artists['Björk'] }
  ]) {
    t.match(await client.star(args), { status: 'failed', error: { code: 70 } }, JSON.stringify(args))
  }
  t.same((await client.getStarred2()).starred2, { artist: [], album: [], song: [] })
  t.match(await client.star({}), { status: 'failed', error: { code: 10 } })

  await client.star({ id: ids.songs.Hunter })
  t.match(await client.unstar({ id: [ids.songs.Hunter, UNKNOWN] }), { status: 'failed', error: { code: 70 } })
  t.same((await client.getStarred2()).starred2.song?.map((s) => s.id), [ids.songs.Hunter], 'still starred')
})

t.test('scrobble and getNowPlaying', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const { client } = lib

  t.match(await client.getNowPlaying(), { status: 'ok', nowPlaying: { entry: [] } })
  t.match(await client.scrobble({ id: ids.songs.Jóga, submission: false }), { status: 'ok' })
  t.equal((await trackAsSeenBy(lib, ids.songs.Jóga)).playCount, 0, 'now playing counts no play')
  const [entry] = (await client.getNowPlaying()).nowPlaying.entry ?? []
  t.match(entry, { id: ids.songs.Jóga, title: 'Jóga', username: 'ana', minutesAgo: 0, playerName: 'subsonic-api', playerId: Number })

  t.match(await client.scrobble({ id: ids.songs.Jóga }), { status: 'ok' })
  t.match(await trackAsSeenBy(lib, ids.songs.Jóga), { playCount: 1 })

  // A play listened to offline, submitted later with its time.
  const then = Date.parse('2024-03-04T05:06:07.000Z')
  await client.scrobble({ id: ids.songs.Hunter, time: then, submission: true })
  t.match(await trackAsSeenBy(lib, ids.songs.Hunter), { playCount: 1, lastPlayed: '2024-03-04T05:06:07.000Z' })

  // Several plays at once, each with its time.
  const form = new URLSearchParams([['id', ids.songs.Something], ['id', ids.songs.Something], ['time', String(then)], ['time', String(then + 60_000)]])
  const several = await lib.raw('scrobble', { apiKey: lib.admin.key, f: 'json' }, { method: 'POST', form: form.toString() })
  t.match(JSON.parse(several.body), { 'subsonic-response': { status: 'ok' } })
  t.match(await trackAsSeenBy(lib, ids.songs.Something), { playCount: 2, lastPlayed: '2024-03-04T05:07:07.000Z' })

  const mismatched = new URLSearchParams([['id', ids.songs.Something], ['id', ids.songs.Hunter], ['time', String(then)]])
  const bad = await lib.raw('scrobble', { apiKey: lib.admin.key, f: 'json' }, { method: 'POST', form: mismatched.toString() })
  t.match(JSON.parse(bad.body), { 'subsonic-response': { status: 'failed', error: { code: 0 } } })
  t.match(await client.scrobble({ id: [ids.songs.Something, UNKNOWN] }), { status: 'failed', error: { code: 70 } })
  t.match(await client.scrobble({ id: 'nope' }), { status: 'failed', error: { code: 70 } })
  t.match(await client.customJSON('scrobble', {}), { status: 'failed', error: { code: 10 } })
  t.equal((await trackAsSeenBy(lib, ids.songs.Something)).playCount, 2, 'failed scrobbles counted nothing')

  // Everyone's now playing, seen by another user; their own player is another entry.
  const bo = await addUser(lib.pg, 'bo', 'user')
  const boClient = apiKeyClient(lib.app, bo.key)
  const seen = (await boClient.getNowPlaying()).nowPlaying.entry ?? []
  t.same(seen.map((e) => [e.username, e.id]), [['ana', ids.songs.Jóga]])
  t.equal(seen[0].playCount, 0, 'the song as bo sees it: his plays, not ana\'s')
  await boClient.scrobble({ id: ids.songs.Hunter, submission: false })
  const both = (await client.getNowPlaying()).nowPlaying.entry ?? []
  t.same(both.map((e) => [e.username, e.id]), [['bo', ids.songs.Hunter], ['ana', ids.songs.Jóga]], 'newest first')
  t.not(both[0].playerId, both[1].playerId)

  // A starred song is ana's alone.
  await client.star({ id: ids.songs.Hunter })
  t.same((await boClient.getStarred2()).starred2, { artist: [], album: [], song: [] })
  t.equal((await boClient.getStarred()).starred.song?.length, 0)

  const xml = await lib.raw('getNowPlaying', { apiKey: lib.admin.key })
  t.match(xml.body, /<nowPlaying><entry [^>]*username="bo"[^>]*>/)
})
