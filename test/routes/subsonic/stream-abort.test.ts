// A player that goes away in the middle of a /rest stream or cover: the reply is not sent a
// second time, and nothing (the key in its URL least of all) reaches the log above debug.
import t from 'tap'
import { get } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { scan } from '../../fixtures/scan.js'
import { buildWithEnv, tempDir, testEnv } from '../../helper.js'

function abortAfterFirstBytes (url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, (res) => {
      res.once('data', (chunk: Buffer) => {
        req.destroy()
        resolve(chunk.length)
      })
    })
    req.on('error', (err) => { if (!req.destroyed) reject(err) })
  })
}

t.test('aborted streams leave no error and no key in the log', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await writeAudioFixture(media, 'flac', { name: 'long', seconds: 60, tags: { title: 'Long', artist: 'A', album: 'B' } })
  const logs: Array<Record<string, unknown>> = []
  const app = await buildWithEnv(t, (await testEnv(t, { mediaPath: media })).env, { logs })
  await scan(app)
  const id = (await app.inject('/api/library/tracks')).json().tracks[0].id as string
  await app.listen({ port: 0, host: '127.0.0.1' })
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  const secret = 'snt_secret_in_the_url'
  for (let i = 0; i < 5; i++) {
    t.ok(await abortAfterFirstBytes(`${base}/rest/stream?id=${id}&apiKey=${secret}`) > 0, 'bytes came before the abort')
    await abortAfterFirstBytes(`${base}/rest/download.view?id=${id}&apiKey=${secret}`)
  }
  await new Promise((resolve) => setTimeout(resolve, 500))
  t.same(logs.map((line) => line.msg), [], 'no warning or error was logged')
  t.notMatch(JSON.stringify(logs), secret)
  const after = await app.inject(`/rest/ping?f=json&apiKey=${secret}`)
  t.equal(after.json()['subsonic-response'].status, 'ok', 'the service answers on')
})
