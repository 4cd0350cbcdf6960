import t from 'tap'
import { albumOrder, artistOrder, trackOrder } from '../../../lib/library/list-order.js'
import { ALBUM_SORTS, ARTIST_SORTS, TRACK_SORTS } from '../../../schemas/library.js'

t.test('tracks: title by default, disc/track order within one album', async (t) => {
  t.same(trackOrder({}), { sort: 'title', order: 'asc' })
  t.same(trackOrder({ albumId: 'a' }), { sort: 'trackNumber', order: 'asc' })
  t.same(trackOrder({ albumId: 'a', sort: 'year' }), { sort: 'year', order: 'asc' }, 'an asked sort wins over the album default')
  t.same(trackOrder({ order: 'desc' }), { sort: 'title', order: 'desc' })
})

t.test('recent is newest first unless asc is asked, on every list that has it', async (t) => {
  t.same(trackOrder({ sort: 'recent' }), { sort: 'recent', order: 'desc' })
  t.same(trackOrder({ sort: 'recent', order: 'asc' }), { sort: 'recent', order: 'asc' })
  t.same(albumOrder({ sort: 'recent' }), { sort: 'recent', order: 'desc' })
  t.same(albumOrder({ sort: 'recent', order: 'asc' }), { sort: 'recent', order: 'asc' })
})

t.test('every other sort is ascending unless desc is asked', async (t) => {
  for (const sort of TRACK_SORTS.filter((s) => s !== 'recent')) {
    t.same(trackOrder({ sort }), { sort, order: 'asc' }, `tracks ${sort}`)
    t.same(trackOrder({ sort, order: 'desc' }), { sort, order: 'desc' }, `tracks ${sort} desc`)
  }
  for (const sort of ALBUM_SORTS.filter((s) => s !== 'recent')) t.same(albumOrder({ sort }), { sort, order: 'asc' }, `albums ${sort}`)
  for (const sort of ARTIST_SORTS) {
    t.same(artistOrder({ sort }), { sort, order: 'asc' }, `artists ${sort}`)
    t.same(artistOrder({ sort, order: 'desc' }), { sort, order: 'desc' }, `artists ${sort} desc`)
  }
})

t.test('albums by title and artists by name when no sort is asked', async (t) => {
  t.same(albumOrder({}), { sort: 'title', order: 'asc' })
  t.same(albumOrder({ order: 'desc' }), { sort: 'title', order: 'desc' })
  t.same(artistOrder({}), { sort: 'name', order: 'asc' })
})
