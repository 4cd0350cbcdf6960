import t from 'tap'
import { apiKeyClient, subsonicLibrary } from '../../fixtures/subsonic.js'
import { addUser } from '../../fixtures/users.js'

// One library for the whole file (building one costs seconds); the tests that star, rate and
// play come after the ones that expect nothing starred, rated or played.
const lib = await subsonicLibrary(t)
const { client } = lib

type ListType = Parameters<typeof client.getAlbumList2>[0]['type']
const names2 = async (type: ListType, more: Record<string, string | number> = {}): Promise<string[]> =>
  ((await client.getAlbumList2({ type, ...more })).albumList2.album ?? []).map((a) => a.name)

async function errorCode (method: string, query: Record<string, string>): Promise<number | undefined> {
  const res = await lib.raw(method, { apiKey: lib.admin.key, f: 'json', ...query })
  if (res.status !== 200) throw new Error(`${method} answered HTTP ${res.status}`)
  return JSON.parse(res.body)['subsonic-response'].error?.code
}

const albumsByName = new Map(((await client.getAlbumList2({ type: 'alphabeticalByName' })).albumList2.album ?? []).map((a) => [a.name, a]))
const abbey = albumsByName.get('Abbey Road')
const homogenic = albumsByName.get('Homogenic')
const songsOf = async (id: string) => (await client.getAlbum({ id })).album.song ?? []

t.test('getAlbumList2 types that need no user state', async (t) => {
  t.match(abbey, { artist: 'The Beatles', year: 1969, songCount: 3, genre: 'Rock', coverArt: abbey?.id })
  t.match(homogenic, { artist: 'Björk', year: 1997, songCount: 2, genre: 'Electronic' })
  t.same(await names2('alphabeticalByName'), ['Abbey Road', 'Homogenic'])
  // "The Beatles" sorts as "Beatles", before "Björk".
  t.same(await names2('alphabeticalByArtist'), ['Abbey Road', 'Homogenic'])
  t.same((await names2('random')).sort(), ['Abbey Road', 'Homogenic'])
  t.same((await names2('newest')).sort(), ['Abbey Road', 'Homogenic'])
  t.same(await names2('byYear', { fromYear: 1960, toYear: 1980 }), ['Abbey Road'])
  t.same(await names2('byYear', { fromYear: 1960, toYear: 2000 }), ['Abbey Road', 'Homogenic'])
  // From later to earlier: newest first.
  t.same(await names2('byYear', { fromYear: 2000, toYear: 1960 }), ['Homogenic', 'Abbey Road'])
  t.same(await names2('byYear', { fromYear: 2001, toYear: 2020 }), [])
  t.same(await names2('byGenre', { genre: 'Electronic' }), ['Homogenic'])
  t.same(await names2('byGenre', { genre: 'Jazz' }), [])
  t.same(await names2('starred'), [])
  t.same(await names2('highest'), [])
  t.same(await names2('frequent'), [])
  t.same(await names2('recent'), [])
  // Windows.
  t.same(await names2('alphabeticalByName', { size: 1 }), ['Abbey Road'])
  t.same(await names2('alphabeticalByName', { size: 1, offset: 1 }), ['Homogenic'])
  t.same(await names2('alphabeticalByName', { offset: 2 }), [])
  t.same(await names2('alphabeticalByName', { size: 0 }), [])
  t.same(await names2('alphabeticalByName', { size: 5000 }), ['Abbey Road', 'Homogenic'])
  // The empty list is an array in JSON and an empty element in XML.
  const xml = await lib.raw('getAlbumList2', { apiKey: lib.admin.key, type: 'starred' })
  t.match(xml.body, /<albumList2\/>/)
})

t.test('getAlbumList answers with folders', async (t) => {
  const { albumList } = await client.getAlbumList({ type: 'alphabeticalByName' })
  t.same(albumList.album?.map((a) => [a.isDir, a.title, a.artist]), [[true, 'Abbey Road', 'The Beatles'], [true, 'Homogenic', 'Björk']])
  t.equal(albumList.album?.[0].id, abbey?.id)
  t.equal(albumList.album?.[0].parent, abbey?.artistId)
  t.same((await client.getAlbumList({ type: 'byGenre', genre: 'Rock' })).albumList.album?.map((a) => a.title), ['Abbey Road'])
})

t.test('album list parameters', async (t) => {
  for (const method of ['getAlbumList', 'getAlbumList2']) {
    t.equal(await errorCode(method, {}), 10, `${method} without a type`)
    t.equal(await errorCode(method, { type: 'mostLoved' }), 0, `${method} unknown type`)
    t.equal(await errorCode(method, { type: 'byYear', fromYear: '1960' }), 10, `${method} byYear without toYear`)
    t.equal(await errorCode(method, { type: 'byYear', toYear: '1960' }), 10, `${method} byYear without fromYear`)
    t.equal(await errorCode(method, { type: 'byGenre' }), 10, `${method} byGenre without genre`)
    t.equal(await errorCode(method, { type: 'newest', size: 'ten' }), 0, `${method} size not a number`)
    t.equal(await errorCode(method, { type: 'newest', offset: '-1' }), 0, `${method} negative offset`)
    t.equal(await errorCode(method, { type: 'newest', musicFolderId: '1' }), undefined, `${method} in the one folder`)
  }
})

t.test('getRandomSongs and getSongsByGenre', async (t) => {
  const all = (await client.getRandomSongs()).randomSongs.song ?? []
  t.same(all.map((s) => s.title).sort(), ['Come Together', 'Hunter', 'Jóga', 'Maxwell\'s Silver Hammer', 'Something'])
  t.equal((await client.getRandomSongs({ size: 2 })).randomSongs.song?.length, 2)
  t.same((await client.getRandomSongs({ size: 0 })).randomSongs.song, [])
  const rock = (await client.getRandomSongs({ genre: 'Rock' })).randomSongs.song ?? []
  t.same(rock.map((s) => s.title).sort(), ['Come Together', 'Maxwell\'s Silver Hammer', 'Something'])
  const nineties = (await client.getRandomSongs({ fromYear: 1990, toYear: 1999 })).randomSongs.song ?? []
  t.same(nineties.map((s) => s.title).sort(), ['Hunter', 'Jóga'])
  t.same((await client.getRandomSongs({ fromYear: 1990 })).randomSongs.song?.map((s) => s.album), ['Homogenic', 'Homogenic'])
  t.same((await client.getRandomSongs({ genre: 'Jazz' })).randomSongs.song, [])
  t.match(all.find((s) => s.title === 'Hunter'), { album: 'Homogenic', artist: 'Björk', albumId: homogenic?.id, isDir: false })

  const electronic = (await client.getSongsByGenre({ genre: 'Electronic' })).songsByGenre.song ?? []
  t.same(electronic.map((s) => s.title), ['Hunter', 'Jóga'])
  t.same((await client.getSongsByGenre({ genre: 'Rock', count: 1, offset: 1 })).songsByGenre.song?.map((s) => s.title), ['Maxwell\'s Silver Hammer'])
  t.equal(await errorCode('getSongsByGenre', {}), 10)
})

t.test('starred, highest, frequent and recent follow what the user did', async (t) => {
  const me = lib.app.library.as(lib.admin.id)
  t.ok(await me.albums.setState(homogenic?.id ?? '', { starred: true }))
  const starred = (await client.getAlbumList2({ type: 'starred' })).albumList2.album ?? []
  t.same(starred.map((a) => a.name), ['Homogenic'])
  t.ok(starred[0].starred instanceof Date)
  t.ok(await me.albums.setState(abbey?.id ?? '', { starred: true }))
  // Newest star first.
  t.same(await names2('starred'), ['Abbey Road', 'Homogenic'])

  t.ok(await me.albums.setState(abbey?.id ?? '', { rating: 3 }))
  t.ok(await me.albums.setState(homogenic?.id ?? '', { rating: 5 }))
  t.same(await names2('highest'), ['Homogenic', 'Abbey Road'])
  t.equal((await client.getAlbumList2({ type: 'highest' })).albumList2.album?.[0].userRating, 5)

  // Plays through the /api routes: two of an Abbey Road song, then one of a Homogenic song.
  const [come] = await songsOf(abbey?.id ?? '')
  const [hunter] = await songsOf(homogenic?.id ?? '')
  const play = async (id: string): Promise<void> => {
    const res = await lib.app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played`, headers: lib.admin.headers })
    t.equal(res.statusCode, 200)
  }
  await play(come.id)
  t.same(await names2('frequent'), ['Abbey Road'])
  t.same(await names2('recent'), ['Abbey Road'])
  await play(come.id)
  await new Promise((resolve) => setTimeout(resolve, 20))
  await play(hunter.id)
  t.same(await names2('frequent'), ['Abbey Road', 'Homogenic'])
  t.same(await names2('recent'), ['Homogenic', 'Abbey Road'])

  // A track's favourite and rating through /api show on the Subsonic song.
  const patched = await lib.app.inject({
    method: 'PATCH', url: `/api/library/tracks/${hunter.id}`, headers: lib.admin.headers, payload: { isFavorite: true, rating: 4 }
  })
  t.equal(patched.statusCode, 200)
  const song = (await client.getSong({ id: hunter.id })).song
  t.match(song, { userRating: 4, playCount: 1 })
  t.ok(song.starred instanceof Date)
  t.ok((await client.getRandomSongs({ genre: 'Electronic' })).randomSongs.song?.some((s) => s.id === hunter.id && s.userRating === 4))

  // Another user sees none of it.
  const other = apiKeyClient(lib.app, (await addUser(lib.pg, 'bo', 'user')).key)
  for (const type of ['starred', 'highest', 'frequent', 'recent'] as const) {
    t.same((await other.getAlbumList2({ type })).albumList2.album, [], `${type} of another user`)
  }
  t.equal((await other.getSong({ id: hunter.id })).song.userRating, undefined)
})
