// The user state the Sonántica apps' Track type reads: playCount, lastPlayed, rating, isFavorite.
import t from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedTrack } from '../../fixtures/seed-track.js'
import { touch, writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan } from '../../fixtures/scan.js'
import { OWNER_ID } from '../../../lib/users/caller.js'

const patch = (id: string, payload: unknown) => ({ method: 'PATCH' as const, url: `/api/library/tracks/${id}`, payload: payload as Record<string, unknown> })

t.test('rating: PATCH sets 1 to 5, null clears, anything else is a 400 naming rating', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    const id = await seedTrack(app.pg, { filePath: 'a/rated.mp3' })

    const fresh = (await app.inject(`/api/library/tracks/${id}`)).json()
    t.match(fresh, { rating: null, playCount: 0, lastPlayed: null, isFavorite: false }, 'a new track: unrated, never played')

    for (const rating of [1, 5, 3]) {
      const res = await app.inject(patch(id, { rating }))
      t.equal(res.statusCode, 200, `rating ${rating}`)
      t.equal(res.json().rating, rating)
    }
    t.equal((await app.inject(`/api/library/tracks/${id}`)).json().rating, 3, 'the rating sticks')

    for (const rating of [0, 6, 2.5, -1, '3', true, [3], { stars: 3 }]) {
      const res = await app.inject(patch(id, { rating }))
      t.equal(res.statusCode, 400, `rating ${JSON.stringify(rating)} is refused`)
      t.match(res.json(), { statusCode: 400, error: 'Bad Request', message: /rating/ }, 'the message names rating')
    }
    const quoted = (await app.inject(patch(id, { rating: '3' }))).json()
    t.equal(quoted.message, 'body/rating must be an integer from 1 to 5 or null')
    t.equal(quoted.code, 'FST_ERR_VALIDATION')
    t.equal((await app.inject(patch(id, {}))).json().message, 'body must set at least one of isFavorite, rating')
    for (const payload of [{ isFavorite: 'true' }, { isFavorite: 1 }, { isFavorite: null }]) {
      const res = await app.inject(patch(id, payload))
      t.equal(res.statusCode, 400, `${JSON.stringify(payload)} is refused, not coerced`)
      t.equal(res.json().message, 'body/isFavorite must be boolean')
    }
    t.match((await app.inject(`/api/library/tracks/${id}`)).json(), { rating: 3, isFavorite: false }, 'refused patches change nothing')

    const both = await app.inject(patch(id, { isFavorite: true, rating: 4 }))
    t.match(both.json(), { isFavorite: true, rating: 4 }, 'both fields in one request')
    t.match((await app.inject(patch(id, { isFavorite: false }))).json(), { isFavorite: false, rating: 4 }, 'isFavorite alone keeps the rating')
    t.match((await app.inject(patch(id, { rating: 2 }))).json(), { isFavorite: false, rating: 2 }, 'rating alone keeps the favourite')

    const cleared = await app.inject(patch(id, { rating: null }))
    t.equal(cleared.statusCode, 200)
    t.equal(cleared.json().rating, null, 'null clears the rating')

    const ghost = '00000000-0000-4000-8000-000000000000'
    t.equal((await app.inject(patch(ghost, { rating: 5 }))).statusCode, 404)
  })
})

t.test('ratings and plays show in lists at once, and survive what a rescan writes', async (t) => {
  const app = await build(t)
  const id = await seedTrack(app.pg, { filePath: 'a/listed.mp3', title: 'Listed' })
  const list = async () => (await app.inject('/api/library/tracks')).json().tracks[0]
  t.match(await list(), { rating: null, playCount: 0, lastPlayed: null }, 'the list is cached from here on')

  await app.inject(patch(id, { rating: 5 }))
  t.equal((await list()).rating, 5, 'a cached list shows a new rating')
  const before = Date.now()
  await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })
  const played = await list()
  t.equal(played.playCount, 1)
  t.ok(Date.parse(played.lastPlayed) >= before - 1000, 'lastPlayed is an ISO date of the play')
  t.match(played.lastPlayed, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)

  // The scanner's upsert of a changed file rewrites tags, never user state.
  await app.pg.query('UPDATE tracks SET title = $2, sort_key = $3, updated_at = now() WHERE id = $1', [id, 'Listed (Remastered)', 'listed (remastered)'])
  t.match((await app.inject(`/api/library/tracks/${id}`)).json(), { title: 'Listed (Remastered)', rating: 5, playCount: 1 })
})

t.test('the database refuses a rating outside 1 to 5 whoever writes it', async (t) => {
  const app = await build(t)
  const id = await seedTrack(app.pg, { filePath: 'a/direct.mp3' })
  await t.rejects(app.pg.query('INSERT INTO user_track_state (user_id, track_id, rating) VALUES ($1, $2, 6)', [OWNER_ID, id]), { code: '23514' })
})

t.test('a real rescan of a changed file keeps its rating, favourite and plays', async (t) => {
  const { app, env } = await buildScanApp(t)
  const file = await writeAudioFixture(env.MEDIA_PATH as string, 'mp3', { name: 'kept', tags: { title: 'Kept' } })
  t.match(await scan(app), { status: 'completed', added: 1 })
  const id = (await app.inject('/api/library/tracks')).json().tracks[0].id as string
  await app.inject(patch(id, { rating: 4, isFavorite: true }))
  await app.inject({ method: 'POST', url: `/api/library/tracks/${id}/played` })
  await touch(file, new Date(Date.now() + 60_000))
  t.match(await scan(app), { status: 'completed', updated: 1 }, 'the file is read again')
  t.match((await app.inject(`/api/library/tracks/${id}`)).json(), { id, rating: 4, isFavorite: true, playCount: 1 })
})
