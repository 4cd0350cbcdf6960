// sql/017 stores album and artist aggregates; its triggers must keep them equal to what the
// tracks and albums say after every kind of write: rows added, retagged, moved to another album
// or artist, removed, and albums given a cover or pruned.
import t, { type Test } from 'tap'
import { build, eachVariant, type TestApp } from '../../helper.js'
import { seedLibrary, albumKey } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { pruneEmpty } from '../../../lib/scan/track-repository.js'

// The aggregates as the lists computed them per page before sql/017.
const COMPUTED_ALBUMS = `
  SELECT al.id,
         (SELECT count(*)::int FROM tracks t WHERE t.album_id = al.id) AS track_count,
         (SELECT coalesce(sum(t.duration), 0)::float8 FROM tracks t WHERE t.album_id = al.id) AS total_duration,
         coalesce((SELECT array_agg(DISTINCT g ORDER BY g) FROM tracks t, unnest(t.genres) g WHERE t.album_id = al.id), '{}') AS genres
  FROM albums al ORDER BY al.id`
const STORED_ALBUMS = 'SELECT id, track_count, total_duration, genres FROM albums ORDER BY id'
const COMPUTED_ARTISTS = `
  SELECT a.id,
         (SELECT count(*)::int FROM tracks t WHERE t.artist_id = a.id) AS track_count,
         (SELECT count(*)::int FROM albums al WHERE al.artist_id = a.id) AS album_count,
         coalesce((SELECT array_agg(DISTINCT g ORDER BY g) FROM tracks t, unnest(t.genres) g WHERE t.artist_id = a.id), '{}') AS genres,
         (SELECT al.id FROM albums al WHERE al.artist_id = a.id AND al.cover_source IS NOT NULL
          ORDER BY al.year NULLS LAST, al.sort_key, al.id LIMIT 1) AS image_album_id
  FROM artists a ORDER BY a.id`
const STORED_ARTISTS = 'SELECT id, track_count, album_count, genres, image_album_id FROM artists ORDER BY id'

async function agrees (t: Test, app: TestApp, after: string): Promise<void> {
  const [computedAlbums, storedAlbums, computedArtists, storedArtists] = await Promise.all(
    [COMPUTED_ALBUMS, STORED_ALBUMS, COMPUTED_ARTISTS, STORED_ARTISTS].map(async (sql) => (await app.pg.query(sql)).rows))
  t.same(storedAlbums, computedAlbums, `albums' aggregates after ${after}`)
  t.same(storedArtists, computedArtists, `artists' aggregates after ${after}`)
}

t.test('stored aggregates follow every write', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const seeded = await seedLibrary(app.pg, [
      ...sampleTracks(),
      { path: 'Various/Hits/1.mp3', title: 'Hit One', artist: 'Nina Simone', album: 'Hits', albumArtist: 'Various Artists', year: 2001, genres: ['Pop'], trackNumber: 1, duration: 200, compilation: true },
      { path: 'Various/Hits/2.mp3', title: 'Hit Two', artist: 'Æther', album: 'Hits', albumArtist: 'Various Artists', year: 2001, genres: ['Soul', 'Pop'], trackNumber: 2, duration: 180.5, compilation: true }
    ])
    await agrees(t, app, 'tracks were added')
    const hits = seeded.albumIds.get(albumKey('Various Artists', 'Hits')) as string
    const hit = (await app.inject(`/api/library/albums/${hits}`)).json()
    t.match(hit, { trackCount: 2, totalDuration: 380.5, genres: ['Pop', 'Soul'] }, 'the API shows the stored values')

    const one = seeded.trackIds.get('Various/Hits/1.mp3') as string
    await app.pg.query('UPDATE tracks SET genres = $2, duration = 210 WHERE id = $1', [one, ['Jazz']])
    await agrees(t, app, 'a retag of genres and length')
    await app.pg.query('UPDATE tracks SET title = \'Renamed\' WHERE id = $1', [one])
    await agrees(t, app, 'a retag that changes no aggregate')

    // The track moves to another album and artist, as a retag of album and artist does.
    const other = [...seeded.albumIds.values()].find((id) => id !== hits) as string
    const someone = [...seeded.artistIds.values()][0]
    await app.pg.query('UPDATE tracks SET album_id = $2, artist_id = $3 WHERE id = $1', [one, other, someone])
    await agrees(t, app, 'a move to another album and artist')

    await app.pg.query('UPDATE albums SET cover_source = \'file:Various/Hits/cover.jpg\', year = 1999 WHERE id = $1', [hits])
    await agrees(t, app, 'an album found its cover and year')
    const various = seeded.artistIds.get('various artists') as string
    t.equal((await app.inject(`/api/library/artists/${various}`)).json().imageUrl, `/api/cover/${hits}`, 'the artist shows it')

    await app.pg.query('DELETE FROM tracks WHERE album_id = $1', [hits])
    await agrees(t, app, 'an album lost its tracks')
    await pruneEmpty(app.pg)
    await agrees(t, app, 'the tidy-up removed empty albums and artists')
    t.equal((await app.inject(`/api/library/albums/${hits}`)).statusCode, 404)

    await app.pg.query('DELETE FROM tracks')
    await agrees(t, app, 'every track went')
  })
})
