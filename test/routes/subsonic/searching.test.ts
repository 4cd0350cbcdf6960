import t, { type Test } from 'tap'
import { subsonicLibrary, type SubsonicLibrary } from '../../fixtures/subsonic.js'

const TITLES = ['Come Together', 'Hunter', 'Jóga', 'Maxwell\'s Silver Hammer', 'Something']

// A whole-library sync as Symfonium and Feishin do it: an empty query, songs page by page.
async function syncSongs (t: Test, lib: SubsonicLibrary, query: string, pageSize: number): Promise<string[][]> {
  const pages: string[][] = []
  for (let offset = 0; ; offset += pageSize) {
    const { searchResult3 } = await lib.client.search3({ query, songCount: pageSize, songOffset: offset, artistCount: 0, albumCount: 0 })
    t.same(searchResult3.artist, [])
    t.same(searchResult3.album, [])
    const page = searchResult3.song?.map((s) => s.id) ?? []
    pages.push(page)
    if (page.length < pageSize) return pages
  }
}

async function errorCode (t: Test, lib: SubsonicLibrary, method: string, query: Record<string, string>): Promise<number | undefined> {
  const res = await lib.raw(method, { apiKey: lib.admin.key, f: 'json', ...query })
  t.equal(res.status, 200)
  return JSON.parse(res.body)['subsonic-response'].error?.code
}

t.test('search3 and search2 on PGlite', async (t) => {
  const lib = await subsonicLibrary(t)

  t.test('an empty query pages through the whole library', async (t) => {
    const pages = await syncSongs(t, lib, '', 2)
    t.same(pages.map((p) => p.length), [2, 2, 1])
    const ids = pages.flat()
    t.equal(new Set(ids).size, 5, 'no song twice')
    // Every song of the library, in the library's title order.
    const all = await lib.client.search3({ query: '', songCount: 500 })
    t.same(all.searchResult3.song?.map((s) => s.title), TITLES)
    t.same(ids, all.searchResult3.song?.map((s) => s.id))
    // The other ways apps say "everything", and a query left out.
    for (const query of ['""', '*']) t.same((await syncSongs(t, lib, query, 2)).flat(), ids, JSON.stringify(query))
    const missing = await lib.raw('search3', { apiKey: lib.admin.key, f: 'json', songCount: '500' })
    t.same(JSON.parse(missing.body)['subsonic-response'].searchResult3.song.map((s: { id: string }) => s.id), ids)
    t.same(all.searchResult3.artist?.map((a) => a.name), ['The Beatles', 'Björk'])
    t.same(all.searchResult3.album?.map((a) => a.name), ['Abbey Road', 'Homogenic'])
    // Artists and albums page the same way.
    const second = await lib.client.search3({ query: '', artistCount: 1, artistOffset: 1, albumCount: 1, albumOffset: 1, songCount: 0 })
    t.same(second.searchResult3.artist?.map((a) => a.name), ['Björk'])
    t.same(second.searchResult3.album?.map((a) => a.name), ['Homogenic'])
    t.same(second.searchResult3.song, [])
    const past = await lib.client.search3({ query: '', songOffset: 5 })
    t.same(past.searchResult3.song, [])
  })

  t.test('words: every one must appear, case and accents ignored', async (t) => {
    const beatles = (await lib.client.search3({ query: 'beatles' })).searchResult3
    t.same(beatles.artist?.map((a) => a.name), ['The Beatles'])
    t.match(beatles.artist?.[0], { albumCount: 1, coverArt: /^[0-9a-f-]{36}$/ })
    t.same(beatles.album?.map((a) => a.name), ['Abbey Road'])
    t.same(beatles.song?.map((s) => s.title), ['Come Together', 'Maxwell\'s Silver Hammer', 'Something'])
    t.match(beatles.song?.[0], { album: 'Abbey Road', artist: 'The Beatles', isDir: false })

    const together = (await lib.client.search3({ query: 'TOGETHER come' })).searchResult3
    t.same(together.song?.map((s) => s.title), ['Come Together'])
    t.same(together.artist, [])
    t.same(together.album, [])
    t.same((await lib.client.search3({ query: 'joga' })).searchResult3.song?.map((s) => s.title), ['Jóga'])
    t.same((await lib.client.search3({ query: '"hunt*"' })).searchResult3.song?.map((s) => s.title), ['Hunter'])
    t.same((await lib.client.search3({ query: 'bjö*' })).searchResult3.artist?.map((a) => a.name), ['Björk'])
    t.same((await lib.client.search3({ query: 'nothing like this' })).searchResult3, { artist: [], album: [], song: [] })
    // A word query pages as the empty one does.
    const first = await lib.client.search3({ query: 'beatles', songCount: 2 })
    const rest = await lib.client.search3({ query: 'beatles', songCount: 2, songOffset: 2 })
    t.same([...(first.searchResult3.song ?? []), ...(rest.searchResult3.song ?? [])].map((s) => s.title), ['Come Together', 'Maxwell\'s Silver Hammer', 'Something'])
  })

  t.test('search2 answers with folders', async (t) => {
    const found = (await lib.client.search2({ query: 'björk' })).searchResult2
    t.match(found.artist?.[0], { name: 'Björk', id: /^[0-9a-f-]{36}$/ })
    t.match(found.album?.[0], { isDir: true, title: 'Homogenic', parent: found.artist?.[0].id, artist: 'Björk' })
    t.same(found.song?.map((s) => s.title), ['Hunter', 'Jóga'])
    t.equal(found.song?.[0].parent, found.album?.[0].id)
    const xml = await lib.raw('search2', { apiKey: lib.admin.key, query: 'hunter' })
    t.match(xml.body, /<searchResult2><song id="[0-9a-f-]{36}" parent="[0-9a-f-]{36}" isDir="false" title="Hunter"/)
  })

  t.test('counts and offsets', async (t) => {
    t.same((await lib.client.search3({ query: '', songCount: 0, albumCount: 0, artistCount: 0 })).searchResult3, { artist: [], album: [], song: [] })
    // Twenty of each by default; more than 500 is read as 500.
    t.equal((await lib.client.search3({ query: '' })).searchResult3.song?.length, 5)
    t.equal((await lib.client.search3({ query: '', songCount: 10_000 })).searchResult3.song?.length, 5)
    t.equal(await errorCode(t, lib, 'search3', { query: '', songCount: '-1' }), 0)
    t.equal(await errorCode(t, lib, 'search3', { query: '', songOffset: 'x' }), 0)
  })
})

t.test('search3 sync on PostgreSQL', async (t) => {
  const lib = await subsonicLibrary(t, 'postgres')
  const pages = await syncSongs(t, lib, '""', 2)
  t.equal(new Set(pages.flat()).size, 5)
  const all = await lib.client.search3({ query: '', songCount: 500 })
  t.same(all.searchResult3.song?.map((s) => s.title), TITLES)
  t.same(pages.flat(), all.searchResult3.song?.map((s) => s.id))
  t.same((await lib.client.search3({ query: 'jóga' })).searchResult3.song?.map((s) => s.title), ['Jóga'])
  t.same((await lib.client.getArtists()).artists.index?.[0].artist?.map((a) => a.name), ['The Beatles', 'Björk'])
})
