// The lists a Subsonic client asks for by kind (getAlbumList2, getRandomSongs): each kind's
// order and filters, stable paging, and the viewer's own ratings, plays and stars.
import t from 'tap'
import { eachVariant } from '../../helper.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { album, ids, track, twoUsers } from '../../fixtures/two-users.js'
import type { LibraryView } from '../../../lib/library/library-service.js'

const all = { limit: 500, offset: 0 }

// A pick read page by page, `size` at a time.
async function paged (library: LibraryView, kind: Parameters<LibraryView['albums']['pick']>[0], size: number, opts = {}): Promise<string[]> {
  const out: string[] = []
  for (let offset = 0; ; offset += size) {
    const page = await library.albums.pick(kind, { size, offset, ...opts })
    out.push(...ids(page))
    if (page.length < size) return out
  }
}

t.test('album picks that show no one\'s state: order, filters and stable paging', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { mine } = s
    // Three dates among fifteen albums: ties the id must break.
    await s.app.pg.query('UPDATE albums SET created_at = timestamptz \'2024-01-01Z\' + (get_byte(uuid_send(id), 15) % 3) * interval \'1 day\'')

    const byTitle = ids((await mine.albums.list(all)).rows)
    t.equal(byTitle.length, 15)
    t.same(ids(await mine.albums.pick('alphabeticalByName', { size: 500, offset: 0 })), byTitle, 'by name: the /api default title order')
    t.same(await paged(mine, 'alphabeticalByName', 4), byTitle, 'paged by 4: every album once, in the same order')
    const byArtist = ids((await mine.albums.list({ ...all, sort: 'artist' })).rows)
    t.same(ids(await mine.albums.pick('alphabeticalByArtist', { size: 500, offset: 0 })), byArtist, 'by artist: album artist, then title')
    t.same(await paged(mine, 'alphabeticalByArtist', 4), byArtist)
    const newest = ids((await mine.albums.list({ ...all, sort: 'recent' })).rows)
    t.same(ids(await mine.albums.pick('newest', { size: 500, offset: 0 })), newest, 'newest: latest added first, ties by id')
    t.same(await paged(mine, 'newest', 4), newest)
    const added = (await mine.albums.pick('newest', { size: 500, offset: 0 })).map((a) => a.addedAt)
    t.same(added, [...added].sort().reverse())

    const { rows: inRange } = await s.app.pg.query<{ id: string }>('SELECT id FROM albums WHERE year BETWEEN 1990 AND 1996 ORDER BY year, id')
    t.ok(inRange.length > 3)
    const rising = await mine.albums.pick('byYear', { size: 500, offset: 0, fromYear: 1990, toYear: 1996 })
    t.same(ids(rising), inRange.map((r) => r.id), 'by year: both ends included, oldest first')
    t.same(await paged(mine, 'byYear', 2, { fromYear: 1990, toYear: 1996 }), ids(rising))
    const falling = await mine.albums.pick('byYear', { size: 500, offset: 0, fromYear: 1996, toYear: 1990 })
    t.same(ids(falling), ids(rising).reverse(), 'from a later year to an earlier one: newest first')
    t.same(ids(await mine.albums.pick('byYear', { size: 500, offset: 0, fromYear: 1993, toYear: 1993 })),
      inRange.filter((_, i) => rising[i].year === 1993).map((r) => r.id), 'one year')

    const ambient = ids((await mine.albums.list({ ...all, genre: 'Ambient' })).rows)
    t.equal(ambient.length, 6, 'Sigur Rós and Aphex Twin')
    t.same(ids(await mine.albums.pick('byGenre', { size: 500, offset: 0, genre: 'Ambient' })), ambient, 'by genre: the /api genre filter, by title')
    t.same(await paged(mine, 'byGenre', 4, { genre: 'Ambient' }), ambient)
    t.same(await mine.albums.pick('byGenre', { size: 500, offset: 0, genre: 'ambient' }), [], 'the exact value only')
    t.same(await mine.albums.pick('byGenre', { size: 500, offset: 0 }), [], 'no genre: no album')

    const random = ids(await mine.albums.pick('random', { size: 5, offset: 0 }))
    t.equal(random.length, 5)
    t.equal(new Set(random).size, 5, 'five different albums')
    t.equal((await mine.albums.pick('random', { size: 1000, offset: 0 })).length, 15, 'a size above 500 is 500')
    t.equal((await mine.albums.pick('alphabeticalByName', { size: 0, offset: 0 })).length, 1, 'a size below 1 is 1')
    t.same(await mine.albums.pick('alphabeticalByName', { size: 10, offset: 100 }), [], 'past the end: empty')
    t.match((await mine.albums.pick('alphabeticalByName', { size: 1, offset: 0 }))[0], await mine.albums.byId(byTitle[0]), 'the /api album shape')
  })
})

t.test('album picks by the viewer\'s ratings, plays and stars are the viewer\'s only', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { mine, theirs } = s
    const [abbey1, abbey2, takk1, takk2] = [album(s, 'The Beatles', 'Abbey One'), album(s, 'The Beatles', 'Abbey Two'),
      album(s, 'Sigur Rós', 'Takk One'), album(s, 'Sigur Rós', 'Takk Two')]
    const desc = (a: string, b: string): string[] => [a, b].sort().reverse()

    t.equal(await mine.albums.setState(abbey1, { rating: 3 }), true)
    await mine.albums.setState(abbey2, { rating: 5 })
    await mine.albums.setState(takk1, { rating: 3 })
    await mine.albums.setState(takk2, { starred: true })
    await theirs.albums.setState(takk2, { rating: 5 })
    t.same(ids(await mine.albums.pick('highest', { size: 10, offset: 0 })), [abbey2, ...desc(abbey1, takk1)],
      'highest: best first, ties by id, only rated albums, only the viewer\'s ratings')
    t.same(await paged(mine, 'highest', 1), ids(await mine.albums.pick('highest', { size: 10, offset: 0 })))
    t.same(ids(await theirs.albums.pick('highest', { size: 10, offset: 0 })), [takk2])

    // Abbey One: 3 plays over two tracks, the last in 2024; Takk One: 2 plays, the last in 2025;
    // Abbey Two: 3 plays, the last in 2023 (a tie with Abbey One).
    await mine.tracks.recordPlay(track(s, 'The Beatles/Abbey One/1.mp3'), new Date('2024-05-01Z'))
    await mine.tracks.recordPlay(track(s, 'The Beatles/Abbey One/1.mp3'), new Date('2024-05-02Z'))
    await mine.tracks.recordPlay(track(s, 'The Beatles/Abbey One/2.mp3'), new Date('2024-01-01Z'))
    await mine.tracks.recordPlay(track(s, 'Sigur Rós/Takk One/1.mp3'), new Date('2025-01-01Z'))
    await mine.tracks.recordPlay(track(s, 'Sigur Rós/Takk One/1.mp3'), new Date('2020-01-01Z'))
    for (let i = 0; i < 3; i++) await mine.tracks.recordPlay(track(s, 'The Beatles/Abbey Two/1.mp3'), new Date('2023-01-01Z'))
    await theirs.tracks.recordPlay(track(s, 'Björk/Vespertine One/1.mp3'))
    // A favourite never played is no play.
    await mine.tracks.setState(track(s, 'Björk/Vespertine Two/1.mp3'), { isFavorite: true })

    t.same(ids(await mine.albums.pick('frequent', { size: 10, offset: 0 })), [...desc(abbey1, abbey2), takk1], 'frequent: most plays first, only played')
    t.same(await paged(mine, 'frequent', 2), ids(await mine.albums.pick('frequent', { size: 10, offset: 0 })))
    t.same(ids(await mine.albums.pick('recent', { size: 10, offset: 0 })), [takk1, abbey1, abbey2], 'recent: latest play first')
    t.same(ids(await theirs.albums.pick('recent', { size: 10, offset: 0 })), [album(s, 'Björk', 'Vespertine One')])

    await mine.albums.setState(abbey1, { starred: true })
    await mine.albums.setState(takk1, { starred: true })
    await s.app.pg.query(`UPDATE user_album_state SET starred_at = CASE album_id WHEN $1 THEN timestamptz '2024-01-01Z'
      WHEN $2 THEN timestamptz '2024-03-01Z' ELSE timestamptz '2024-02-01Z' END WHERE starred_at IS NOT NULL`, [abbey1, takk1])
    t.same(ids(await mine.albums.pick('starred', { size: 10, offset: 0 })), [takk1, takk2, abbey1], 'starred: newest star first')
    t.same(await paged(mine, 'starred', 2), [takk1, takk2, abbey1])
    t.same(await theirs.albums.pick('starred', { size: 10, offset: 0 }), [])
  })
})

t.test('random tracks: as many as asked, within the genre and years asked', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const s = await twoUsers(t, v.backend)
    const { mine } = s
    const picked = await mine.tracks.random({ size: 10 })
    t.equal(picked.length, 10)
    t.equal(new Set(ids(picked)).size, 10, 'no track twice')
    t.same(picked[0], await mine.tracks.byId(picked[0].id), 'a Track as /api shows it')
    t.equal((await mine.tracks.random({ size: 1000 })).length, sampleTracks().length, 'capped at 500: the whole library')
    t.equal((await mine.tracks.random({ size: -3 })).length, 1)

    const jazz = await mine.tracks.random({ size: 500, genre: 'Jazz' })
    t.equal(jazz.length, 9)
    t.ok(jazz.every((x) => x.genres.includes('Jazz')))
    const years = await mine.tracks.random({ size: 500, fromYear: 1993, toYear: 1996 })
    t.ok(years.length > 0 && years.every((x) => x.year !== null && x.year >= 1993 && x.year <= 1996))
    t.same(ids(await mine.tracks.random({ size: 500, fromYear: 1996, toYear: 1993 })).sort(), ids(years).sort(), 'the years in either order')
    t.ok((await mine.tracks.random({ size: 500, fromYear: 2000 })).every((x) => (x.year ?? 0) >= 2000))
    t.same(ids(await mine.tracks.random({ size: 500, genre: 'Jazz', toYear: 1990 })), [], 'both filters')
    await mine.tracks.setState(jazz[0].id, { isFavorite: true })
    t.match((await mine.tracks.random({ size: 500, genre: 'Jazz' })).find((x) => x.id === jazz[0].id), { isFavorite: true }, 'with the viewer\'s state')
  })
})
