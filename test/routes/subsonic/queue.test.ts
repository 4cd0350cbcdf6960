import t from 'tap'
import { apiKeyClient, subsonicLibrary } from '../../fixtures/subsonic.js'
import { libraryIds } from '../../fixtures/subsonic-items.js'
import { addUser } from '../../fixtures/users.js'

const UNKNOWN = '00000000-0000-4000-8000-00000000dead'

t.test('the play queue is saved per user', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const { client } = lib

  const none = await client.getPlayQueue()
  t.equal(none.status, 'ok')
  t.notOk('playQueue' in none, 'no queue yet: a plain ok')

  const queue = [ids.songs.Hunter, ids.songs['Jóga'], ids.songs.Hunter]
  const before = Date.now()
  t.match(await client.savePlayQueue({ id: queue, current: ids.songs['Jóga'], position: 61_500 }), { status: 'ok' })
  const { playQueue } = await client.getPlayQueue()
  t.match(playQueue, { current: ids.songs['Jóga'], position: 61_500, username: 'ana', changedBy: 'subsonic-api' })
  t.same(playQueue?.entry?.map((e) => e.id), queue, 'in order, repeats kept')
  t.match(playQueue?.entry?.[0], { title: 'Hunter', isDir: false, albumId: ids.albums.Homogenic })
  const changed = Date.parse(String(playQueue?.changed))
  t.ok(changed >= before - 1000 && changed <= Date.now() + 1000, 'changed now')

  // Another user has his own queue, and does not see hers.
  const bo = await addUser(lib.pg, 'bo', 'user')
  const boClient = apiKeyClient(lib.app, bo.key)
  t.notOk('playQueue' in await boClient.getPlayQueue())
  await boClient.savePlayQueue({ id: ids.songs.Something, position: 0 })
  t.match((await boClient.getPlayQueue()).playQueue, { username: 'bo', position: 0, entry: [{ id: ids.songs.Something }] })
  t.notOk('current' in ((await boClient.getPlayQueue()).playQueue ?? {}), 'no current song given, none shown')
  t.same((await client.getPlayQueue()).playQueue?.entry?.map((e) => e.id), queue, 'hers unchanged')

  // Refusals change nothing.
  t.match(await client.savePlayQueue({ id: [ids.songs.Hunter, UNKNOWN], position: 0 }), { status: 'failed', error: { code: 70 } })
  t.match(await client.savePlayQueue({ id: ['nope'], position: 0 }), { status: 'failed', error: { code: 70 } })
  t.match(await client.savePlayQueue({ id: [ids.songs.Hunter], current: ids.songs.Something, position: 0 }), { status: 'failed', error: { code: 70 } })
  t.match(await client.savePlayQueue({ id: [ids.songs.Hunter], position: -1 }), { status: 'failed', error: { code: 0 } })
  t.same((await client.getPlayQueue()).playQueue?.entry?.map((e) => e.id), queue)

  // No ids clears it.
  t.match(await client.savePlayQueue({ position: 0 }), { status: 'ok' })
  t.notOk('playQueue' in await client.getPlayQueue())
  t.match((await boClient.getPlayQueue()).playQueue, { username: 'bo' }, 'his is still there')

  const xml = await lib.raw('getPlayQueue', { apiKey: bo.key })
  t.match(xml.body, /<playQueue position="0" username="bo" changed="[^"]+Z" changedBy="subsonic-api"><entry id="/)
})

t.test('songs gone from the library are left out of the queue', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  await lib.client.savePlayQueue({ id: [ids.songs.Hunter, ids.songs.Something], current: ids.songs.Something, position: 5 })
  await lib.pg.query('DELETE FROM tracks WHERE id = $1', [ids.songs.Something])
  const { playQueue } = await lib.client.getPlayQueue()
  t.same(playQueue?.entry?.map((e) => e.id), [ids.songs.Hunter])
  t.notOk('current' in (playQueue ?? {}), 'the current song is gone too')
})

t.test('bookmarks, internet radio and podcasts are empty lists', async (t) => {
  const lib = await subsonicLibrary(t)
  t.same((await lib.client.getBookmarks()).bookmarks, { bookmark: [] })
  t.same((await lib.client.getInternetRadioStations()).internetRadioStations, { internetRadioStation: [] })
  t.same((await lib.client.getPodcasts()).podcasts, { channel: [] })
  const xml = await lib.raw('getPodcasts', { apiKey: lib.admin.key })
  t.match(xml.body, /<podcasts\/>|<podcasts><\/podcasts>/)
})
