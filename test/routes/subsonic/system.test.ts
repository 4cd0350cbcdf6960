import t from 'tap'
import { subsonicLibrary } from '../../fixtures/subsonic.js'

t.test('system methods through subsonic-api', async (t) => {
  const lib = await subsonicLibrary(t)
  const ping = await lib.client.ping()
  t.match(ping, { status: 'ok', version: '1.16.1', type: 'sonantica', openSubsonic: true })
  t.match(await lib.client.getLicense(), { license: { valid: true } })
  const ext = await lib.client.getOpenSubsonicExtensions()
  t.ok(ext.openSubsonicExtensions.some((e) => e.name === 'formPost'))
  t.same((await lib.client.getMusicFolders()).musicFolders, { musicFolder: [{ id: 1, name: 'Music' }] })
  t.match((await lib.client.getUser({ username: 'ana' })).user, { username: 'ana', adminRole: true, folder: [1] })
  t.match((await lib.client.getScanStatus()).scanStatus, { scanning: false, count: 5 })
  const xml = await lib.raw('ping', { apiKey: lib.admin.key })
  t.match(xml.headers['content-type'], /text\/xml/)
  t.match(xml.body, /<subsonic-response xmlns="http:\/\/subsonic.org\/restapi" status="ok" version="1.16.1"/)
  t.match(await lib.client.customJSON('tokenInfo', {}),
    { tokenInfo: { username: 'ana' } }, 'tokenInfo names the key\'s user')
  const unknown = JSON.parse((await lib.raw('nope.view', { apiKey: lib.admin.key, f: 'json' })).body)['subsonic-response']
  t.match(unknown, { status: 'failed', error: { code: 0, message: "Unknown method 'nope'" } })
})
