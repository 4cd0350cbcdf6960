import t from 'tap'
import { apiKeyClient, subsonicLibrary } from '../../fixtures/subsonic.js'
import { libraryIds } from '../../fixtures/subsonic-items.js'
import { addUser } from '../../fixtures/users.js'

const UNKNOWN = '00000000-0000-4000-8000-00000000dead'

interface ApiPlaylist { id: string, name: string, public: boolean, description?: string, trackIds: string[], owner: { username: string } }

t.test('playlists are the /api playlists, with the same owner rules', async (t) => {
  const lib = await subsonicLibrary(t)
  const ids = await libraryIds(lib)
  const { client } = lib
  const api = async (url: string, authorization = lib.admin.headers.authorization): Promise<{ status: number, body: ApiPlaylist }> => {
    const res = await lib.app.inject({ url: `/api/library${url}`, headers: { authorization } })
    return { status: res.statusCode, body: res.json() }
  }
  const songs = [ids.songs['Come Together'], ids.songs.Hunter, ids.songs.Something]

  const created = await client.createPlaylist({ name: 'Road trip', songId: songs })
  t.equal(created.status, 'ok')
  const trip = created.playlist
  t.match(trip, { name: 'Road trip', owner: 'ana', public: false, songCount: 3 })
  t.ok(trip.duration >= 8 && trip.duration <= 10, `three 3-second songs: ${trip.duration}s`)
  t.same(trip.entry?.map((e) => e.id), songs)
  t.match(trip.entry?.[1], { title: 'Hunter', album: 'Homogenic', albumId: ids.albums.Homogenic, playCount: 0 })
  t.ok(trip.created instanceof Date && trip.changed instanceof Date)
  t.equal(trip.coverArt, ids.albums['Abbey Road'], 'the first song\'s album cover')
  t.match((await api(`/playlists/${trip.id}`)).body, { name: 'Road trip', public: false, trackIds: songs, owner: { username: 'ana' } })

  const listed = (await client.getPlaylists()).playlists.playlist ?? []
  t.same(listed.map((p) => p.name), ['Road trip'])
  t.match(listed[0], { id: trip.id, owner: 'ana', songCount: 3, duration: trip.duration, public: false, readonly: false })
  t.notOk('entry' in listed[0])

  // Rename, describe, share, remove by place (counted before removal) and add at the end.
  t.match(await client.updatePlaylist({
    playlistId: trip.id, name: 'Long trip', comment: 'for the car', public: true, songIdToAdd: [ids.songs.Jóga], songIndexToRemove: [2, 0]
  }), { status: 'ok' })
  const updated = (await client.getPlaylist({ id: trip.id })).playlist
  t.match(updated, { name: 'Long trip', comment: 'for the car', public: true, songCount: 2 })
  t.same(updated.entry?.map((e) => e.title), ['Hunter', 'Jóga'])
  t.match((await api(`/playlists/${trip.id}`)).body, { name: 'Long trip', description: 'for the car', public: true, trackIds: [ids.songs.Hunter, ids.songs.Jóga] })
  // The same song twice, then one of the two removed by its place.
  await client.updatePlaylist({ playlistId: trip.id, songIdToAdd: [ids.songs.Hunter] })
  await client.updatePlaylist({ playlistId: trip.id, songIndexToRemove: [0] })
  t.same((await api(`/playlists/${trip.id}`)).body.trackIds, [ids.songs.Jóga, ids.songs.Hunter])
  await client.updatePlaylist({ playlistId: trip.id, comment: '' })
  t.notOk('comment' in (await client.getPlaylist({ id: trip.id })).playlist, 'an emptied comment is gone')

  // createPlaylist with playlistId replaces the songs.
  const replaced = await client.createPlaylist({ playlistId: trip.id, songId: [ids.songs.Something, ids.songs.Something] })
  t.same(replaced.playlist.entry?.map((e) => e.id), [ids.songs.Something, ids.songs.Something])
  t.equal(replaced.playlist.name, 'Long trip')

  // Empty playlists have an empty entry list.
  const empty = await lib.raw('createPlaylist', { apiKey: lib.admin.key, f: 'json', name: 'Later' })
  const emptyList = JSON.parse(empty.body)['subsonic-response'].playlist
  t.match(emptyList, { name: 'Later', songCount: 0, duration: 0, entry: [] })
  t.notOk('coverArt' in emptyList)

  // A playlist made on /api is a Subsonic playlist too.
  const made = await lib.app.inject({ method: 'POST', url: '/api/library/playlists', headers: lib.admin.headers, payload: { name: 'From the web', trackIds: [ids.songs.Hunter] } })
  t.equal(made.statusCode, 201)
  t.same((await client.getPlaylists()).playlists.playlist?.map((p) => p.name), ['From the web', 'Later', 'Long trip'])

  // Another user: ana's public one only, read-only to him.
  const bo = await addUser(lib.pg, 'bo', 'user')
  const boClient = apiKeyClient(lib.app, bo.key)
  const boSees = (await boClient.getPlaylists()).playlists.playlist ?? []
  t.same(boSees.map((p) => [p.name, (p as { readonly?: boolean }).readonly]), [['Long trip', true]])
  const later = emptyList.id as string
  t.match(await boClient.getPlaylist({ id: later }), { status: 'failed', error: { code: 70 } })
  t.match(await boClient.getPlaylist({ id: trip.id }), { status: 'ok', playlist: { name: 'Long trip' } })
  t.match(await boClient.updatePlaylist({ playlistId: trip.id, name: 'Mine now' }), { status: 'failed', error: { code: 50 } })
  t.match(await boClient.updatePlaylist({ playlistId: trip.id, songIndexToRemove: [0] }), { status: 'failed', error: { code: 50 } })
  t.match(await boClient.createPlaylist({ playlistId: trip.id, songId: [ids.songs.Hunter] }), { status: 'failed', error: { code: 50 } })
  t.match(await boClient.deletePlaylist({ id: trip.id }), { status: 'failed', error: { code: 50 } })
  t.match(await boClient.updatePlaylist({ playlistId: later, name: 'x' }), { status: 'failed', error: { code: 70 } })
  t.match(await boClient.deletePlaylist({ id: later }), { status: 'failed', error: { code: 70 } })
  t.match(await boClient.getPlaylists({ username: 'ana' }), { status: 'failed', error: { code: 50 } })
  t.same((await api(`/playlists/${trip.id}`)).body.trackIds, [ids.songs.Something, ids.songs.Something], 'unchanged')

  // His own playlist; the admin sees his public ones only.
  const his = (await boClient.createPlaylist({ name: 'Bo private', songId: [ids.songs.Hunter] })).playlist
  t.equal(his.owner, 'bo')
  const hisPublic = (await boClient.createPlaylist({ name: 'Bo shares' })).playlist
  await boClient.updatePlaylist({ playlistId: hisPublic.id, public: true })
  t.same((await client.getPlaylists({ username: 'bo' })).playlists.playlist?.map((p) => p.name), ['Bo shares'])
  t.match(await client.getPlaylist({ id: his.id }), { status: 'failed', error: { code: 70 } })
  const anaSees = ['Bo shares', 'From the web', 'Later', 'Long trip']
  t.same((await client.getPlaylists()).playlists.playlist?.map((p) => p.name), anaSees)
  t.same((await client.getPlaylists({ username: 'ANA' })).playlists.playlist?.map((p) => p.name), anaSees, 'her own name: as without one')

  // Refusals that change nothing.
  t.match(await client.createPlaylist({ name: 'Bad', songId: [ids.songs.Hunter, UNKNOWN] }), { status: 'failed', error: { code: 70 } })
  t.match(await client.createPlaylist({ name: 'Bad', songId: ['x'] }), { status: 'failed', error: { code: 70 } })
  t.match(await client.createPlaylist({}), { status: 'failed', error: { code: 10 } })
  t.match(await client.createPlaylist({ name: 'x'.repeat(201) }), { status: 'failed', error: { code: 0 } })
  t.match(await client.updatePlaylist({ playlistId: trip.id, songIndexToRemove: [2] }), { status: 'failed', error: { code: 0 } })
  t.match(await client.updatePlaylist({ playlistId: trip.id, songIdToAdd: [UNKNOWN] }), { status: 'failed', error: { code: 70 } })
  t.match(await client.customJSON('updatePlaylist', {}), { status: 'failed', error: { code: 10 } })
  t.match(await client.getPlaylist({ id: UNKNOWN }), { status: 'failed', error: { code: 70 } })
  t.match(await client.getPlaylist({ id: 'not-a-uuid' }), { status: 'failed', error: { code: 70 } })
  t.match(await client.customJSON('getPlaylist', {}), { status: 'failed', error: { code: 10 } })
  t.same((await client.getPlaylists()).playlists.playlist?.map((p) => p.name), anaSees, 'no playlist made by a refused call')
  t.same((await api(`/playlists/${trip.id}`)).body.trackIds, [ids.songs.Something, ids.songs.Something])

  // Deleted here, gone on /api.
  t.match(await client.deletePlaylist({ id: trip.id }), { status: 'ok' })
  t.equal((await api(`/playlists/${trip.id}`)).status, 404)
  t.match(await client.getPlaylist({ id: trip.id }), { status: 'failed', error: { code: 70 } })
  t.match(await client.deletePlaylist({ id: trip.id }), { status: 'failed', error: { code: 70 } })

  // One model, two encodings.
  const xml = await lib.raw('getPlaylist', { apiKey: lib.admin.key, id: his.id })
  t.match(xml.body, /<subsonic-response [^>]*status="failed"[^>]*><error code="70"/)
  const mine = await lib.raw('getPlaylists', { apiKey: lib.admin.key })
  t.match(mine.body, /<playlist id="[^"]+" name="From the web" owner="ana" public="false" songCount="1" duration="\d+" created="[^"]+Z"/)
})
