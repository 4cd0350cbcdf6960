import t from 'tap'
import { NowPlaying, type Playing } from '../../../lib/subsonic/now-playing.js'

const at = (minutes: number): Date => new Date(Date.UTC(2026, 0, 1, 12, minutes))
const playing = (over: Partial<Playing>): Playing =>
  ({ userId: 'u1', username: 'ana', trackId: 't1', playerName: 'DSub', duration: 200, since: at(0), ...over })

t.test('one entry per user and player, newest first', async (t) => {
  const store = new NowPlaying()
  store.record(playing({}))
  store.record(playing({ playerName: 'Feishin', trackId: 't2', since: at(1) }))
  store.record(playing({ userId: 'u2', username: 'bo', trackId: 't3', since: at(2) }))
  t.same(store.current(at(3)).map((e) => [e.username, e.playerName, e.trackId]),
    [['bo', 'DSub', 't3'], ['ana', 'Feishin', 't2'], ['ana', 'DSub', 't1']])
  const dsub = store.current(at(3))[2].playerId
  store.record(playing({ trackId: 't4', since: at(4) }))
  const now = store.current(at(4))
  t.same(now.map((e) => e.trackId), ['t4', 't3', 't2'], 'the next track replaces the player\'s last')
  t.equal(now[0].playerId, dsub, 'the same player keeps its id')
  t.equal(new Set(now.map((e) => e.playerId)).size, 3)
})

t.test('entries end after ten minutes, or their track\'s length when longer', async (t) => {
  const store = new NowPlaying()
  store.record(playing({ duration: 180 }))
  store.record(playing({ userId: 'u2', duration: 30 * 60 }))
  t.equal(store.current(at(10)).length, 2)
  t.same(store.current(at(11)).map((e) => e.userId), ['u2'])
  t.same(store.current(at(31)).map((e) => e.userId), [])
})

t.test('the store is bounded: the oldest report goes first', async (t) => {
  const store = new NowPlaying(2)
  for (const userId of ['a', 'b', 'c']) store.record(playing({ userId }))
  t.same(store.current(at(1)).map((e) => e.userId), ['c', 'b'])
})

t.test('one user\'s many players cannot push everyone else out', async (t) => {
  const store = new NowPlaying()
  store.record(playing({ userId: 'ana', since: at(0) }))
  for (let i = 0; i < 1100; i++) store.record(playing({ userId: 'bo', username: 'bo', playerName: `${i}${'x'.repeat(4000)}`, since: at(1) }))
  const now = store.current(at(2))
  t.equal(now.filter((e) => e.userId === 'bo').length, 10, 'bo keeps his last ten players')
  t.ok(now.some((e) => e.userId === 'ana'), 'ana is still shown')
  t.ok(now.every((e) => e.playerName.length <= 100), 'player names are cut to 100 characters')
})
