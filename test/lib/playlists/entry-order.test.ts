import t from 'tap'
import { reorderKeepingHidden, type Entry } from '../../../lib/playlists/entry-order.js'

const entries = (spec: string): Entry[] =>
  spec.split(' ').map((s) => ({ trackId: s.replace('!', ''), shown: !s.endsWith('!') }))

t.test('with nothing hidden the new order is taken as sent', async (t) => {
  t.same(reorderKeepingHidden(entries('a b c'), ['c', 'a', 'a']), ['c', 'a', 'a'])
  t.same(reorderKeepingHidden([], ['a']), ['a'])
})

t.test('a hidden entry stays after the shown entry before it', async (t) => {
  t.same(reorderKeepingHidden(entries('a x! b c'), ['c', 'a', 'b']), ['c', 'a', 'x', 'b'])
  t.same(reorderKeepingHidden(entries('x! a b'), ['b', 'a']), ['x', 'b', 'a'], 'at the start stays at the start')
  t.same(reorderKeepingHidden(entries('a b x! y!'), ['b', 'a']), ['b', 'x', 'y', 'a'], 'several keep their own order')
})

t.test('when the entry before it is gone, the closest earlier one that remains serves', async (t) => {
  t.same(reorderKeepingHidden(entries('a b x! c'), ['c', 'a']), ['c', 'a', 'x'])
  t.same(reorderKeepingHidden(entries('a x! b'), ['b']), ['x', 'b'], 'none left: first')
  t.same(reorderKeepingHidden(entries('a x!'), []), ['x'], 'an emptied list keeps its hidden entries')
})

t.test('repeated ids are matched by occurrence', async (t) => {
  // x followed the second a; the new list has one a only, so x follows the b before it.
  t.same(reorderKeepingHidden(entries('a b a x!'), ['a', 'b']), ['a', 'b', 'x'])
  t.same(reorderKeepingHidden(entries('a b a x!'), ['b', 'a', 'a']), ['b', 'a', 'a', 'x'], 'after the second a')
})
