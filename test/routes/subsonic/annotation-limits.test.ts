// A flood of ids in one star or scrobble call holds one database connection, not the pool:
// everyone else goes on being answered (found by the outside attack: 20,000 ids made 503s).
import t from 'tap'
import { subsonicLibrary } from '../../fixtures/subsonic.js'
import { libraryIds } from '../../fixtures/subsonic-items.js'
import { addUser } from '../../fixtures/users.js'
import { MAX_ANNOTATED } from '../../../lib/subsonic/annotations.js'

t.test('star and scrobble take at most MAX_ANNOTATED ids, one at a time', async (t) => {
  const lib = await subsonicLibrary(t)
  const song = Object.values((await libraryIds(lib)).songs)[0]
  const bo = await addUser(lib.pg, 'bo', 'user')
  const form = (key: string, count: number): string => `apiKey=${key}&f=json&${Array.from({ length: count }, () => `id=${song}`).join('&')}`
  const post = async (name: string, body: string) => JSON.parse((await lib.raw(name, {}, { method: 'POST', form: body })).body)['subsonic-response']

  t.match(await post('star', form(bo.key, MAX_ANNOTATED + 1)), { status: 'failed', error: { code: 0, message: /at most/ } })
  t.match(await post('scrobble', form(bo.key, MAX_ANNOTATED + 1)), { status: 'failed', error: { code: 0 } })
  const [starred, other] = await Promise.all([
    post('star', form(bo.key, MAX_ANNOTATED)),
    lib.raw('getAlbumList2', { apiKey: lib.admin.key, f: 'json', type: 'newest' })
  ])
  t.match(starred, { status: 'ok' }, 'a thousand repeats of one id star it once')
  t.match(JSON.parse(other.body), { 'subsonic-response': { status: 'ok' } }, 'another user is answered meanwhile')
  const stars = (await lib.app.inject({ url: `/api/library/tracks/${song}`, headers: bo.headers })).json()
  t.equal(stars.isFavorite, true)
  t.match(await post('scrobble', form(bo.key, 20)), { status: 'ok' })
  t.equal((await lib.app.inject({ url: `/api/library/tracks/${song}`, headers: bo.headers })).json().playCount, 20, 'each scrobble of a repeated id is a play')
})
