// The sample library, written as tagged files and scanned, against the same library seeded: the
// seeds stand in for the scanner in most library tests, which only holds while both store the
// same keys and so list in the same orders.
import t from 'tap'
import { join } from 'node:path'
import { build } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import type { TrackT } from '../../../schemas/library.js'

const BALLAD = 'The Ballad of John and Yoko'

t.test('a scanned library stores the keys the seeds store, and lists titles by their article-stripped key', async (t) => {
  const sample = sampleTracks()
  t.ok(sample.some((x) => x.title === BALLAD), 'the sample has a title with a leading article')

  const { app: scanned, env } = await buildScanApp(t)
  for (const x of sample) {
    const slash = x.path.lastIndexOf('/')
    await writeAudioFixture(join(env.MEDIA_PATH as string, x.path.slice(0, slash)), 'mp3', {
      name: x.path.slice(slash + 1, x.path.lastIndexOf('.')),
      tags: {
        title: x.title,
        artist: x.artist,
        album: x.album,
        ...(x.trackNumber == null ? {} : { track: String(x.trackNumber) }),
        ...(x.discNumber == null ? {} : { disc: String(x.discNumber) }),
        ...(x.year == null ? {} : { date: String(x.year) })
      }
    })
  }
  const done = await scan(scanned)
  t.match(done, { status: 'completed', added: sample.length, failed: 0 })

  const seeded = await build(t)
  await seedLibrary(seeded.pg, sample)

  // Everything a list sorts, filters or searches by, by path (ids differ between the two).
  const keys = async (app: typeof seeded): Promise<unknown> => ({
    tracks: (await app.pg.query(`SELECT file_path, title, sort_key, artist, artist_key, album, album_key, album_artist, search_key,
      track_number, disc_number, year FROM tracks ORDER BY file_path`)).rows,
    albums: (await app.pg.query('SELECT title, title_key, sort_key, album_artist, search_key, compilation FROM albums ORDER BY title_key')).rows,
    artists: (await app.pg.query('SELECT name, name_key, sort_key FROM artists ORDER BY name_key')).rows
  })
  t.same(await keys(scanned), await keys(seeded), 'the same rows, keys and all, scanned or seeded')

  const titles = async (app: typeof seeded): Promise<string[]> =>
    ((await app.inject('/api/library/tracks?sort=title&limit=500')).json().tracks as TrackT[]).map((x) => x.title)
  const listed = await titles(scanned)
  t.same(listed, await titles(seeded), 'the title list is the same')
  const at = listed.indexOf(BALLAD)
  t.match(listed[at - 1], /^Avril /, 'filed under B: after the A titles…')
  t.match(listed[at + 1], /^Feeling Good /, '…and before the F titles, not among T')
  const index = (await scanned.inject('/api/library/alphabet-index?type=tracks')).json()
  t.equal(index.B, at, 'the alphabet index sends B to it')
})
