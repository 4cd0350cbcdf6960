// The whole list of one album or artist answers as its page does: 404 with the same message when
// the album or artist does not exist, an empty list when it exists and the list has nothing.
import t from 'tap'
import { build } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { fold } from '../../../lib/text-fold.js'

const NONE = '00000000-0000-4000-8000-000000000000'

t.test('an album artist with no tracks of their own has an empty whole list of tracks', async (t) => {
  const app = await build(t)
  const seeded = await seedLibrary(app.pg, [
    { path: 'Various/Hits/1.mp3', title: 'Hit One', artist: 'Nina Simone', album: 'Hits', albumArtist: 'Various Artists', trackNumber: 1, compilation: true }
  ])
  const various = seeded.artistIds.get(fold('Various Artists')) as string
  const whole = await app.inject(`/api/library/artists/${various}/tracks?limit=-1`)
  t.equal(whole.statusCode, 200)
  t.same(whole.json(), { tracks: [], total: 0, limit: -1, offset: 0 })
  t.same((await app.inject(`/api/library/artists/${various}/tracks?limit=-1`)).json(), whole.json(), 'and again, from the kept body')
  t.equal((await app.inject(`/api/library/artists/${various}/albums?limit=-1`)).json().total, 1)
})

t.test('an unknown album or artist: the whole list\'s 404 says what the page\'s says', async (t) => {
  const app = await build(t)
  for (const url of [`/api/library/albums/${NONE}/tracks`, `/api/library/artists/${NONE}/albums`, `/api/library/artists/${NONE}/tracks`]) {
    const page = await app.inject(url)
    const whole = await app.inject(`${url}?limit=-1`)
    t.equal(page.statusCode, 404, url)
    t.equal(whole.statusCode, 404, `${url}?limit=-1`)
    t.same(whole.json(), page.json(), url)
  }
})
