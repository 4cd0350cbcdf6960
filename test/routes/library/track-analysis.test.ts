import t from 'tap'
import { eachVariant } from '../../helper.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { buildScanApp, scan, tracksByPath } from '../../fixtures/scan.js'

t.test('PUT /api/library/tracks/{id}/analysis stores results that survive rescans', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const { app, pg, env } = await buildScanApp(t, { backend: v.backend })
    await writeAudioFixture(env.MEDIA_PATH as string, 'flac', { tags: { title: 'Analyse me', artist: 'DSP' } })
    await scan(app)
    const [row] = [...(await tracksByPath(pg)).values()]
    const id = row.id as string
    const payload = { bpm: 128.5, key: '8A', loudness: -9.1, waveform: [0, 0.5, 1], note: 'Ünïcode ☃' }

    const res = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload })
    t.equal(res.statusCode, 200)
    t.match(res.json(), { id, title: 'Analyse me', artist: 'DSP', format: { codec: 'flac', container: 'FLAC' } })
    const { rows: [stored] } = await pg.query('SELECT analysis, analysis_updated_at FROM tracks WHERE id = $1', [id])
    t.same(stored.analysis, payload)
    t.ok(stored.analysis_updated_at instanceof Date)

    await writeAudioFixture(env.MEDIA_PATH as string, 'flac', { name: 'Analyse me', tags: { title: 'Retagged', artist: 'DSP' } })
    const { rows: [{ analysis }] } = await pg.query('SELECT analysis FROM tracks WHERE id = $1', [id])
    t.same(analysis, payload)
    await scan(app)
    const { rows: [after] } = await pg.query('SELECT title, analysis FROM tracks WHERE id = $1', [id])
    t.same(after, { title: 'Retagged', analysis: payload }, 'a rescan keeps the analysis')

    const cases: Array<[string, string, unknown, number]> = [
      ['unknown track', '00000000-0000-4000-8000-000000000000', payload, 404],
      ['malformed id', 'nope', payload, 400],
      ['array body', id, [1, 2], 400],
      ['string body', id, '"text"', 400]
    ]
    for (const [name, trackId, body, status] of cases) {
      const bad = await app.inject({ method: 'PUT', url: `/api/library/tracks/${trackId}/analysis`, headers: { 'content-type': 'application/json' }, payload: typeof body === 'string' ? body : JSON.stringify(body) })
      t.equal(bad.statusCode, status, name)
      t.match(bad.json(), { statusCode: status, message: String }, `${name}: one error shape`)
    }
    const big = await app.inject({ method: 'PUT', url: `/api/library/tracks/${id}/analysis`, payload: { waveform: new Array(100_000).fill(0.123) } })
    t.equal(big.statusCode, 413, 'bodies over 256 KiB are refused')
    const { rows: [unchanged] } = await pg.query('SELECT analysis FROM tracks WHERE id = $1', [id])
    t.same(unchanged.analysis, payload, 'refused bodies change nothing')
  })
})
