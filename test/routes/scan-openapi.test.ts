import t from 'tap'
import SwaggerParser from '@apidevtools/swagger-parser'
import { build, testEnv } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanAppWithEnv, waitForScan } from '../fixtures/scan.js'

t.test('the scan and analysis routes are in a valid OpenAPI document', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/docs/json')).json()
  await SwaggerParser.validate(structuredClone(doc))
  for (const path of ['/api/scan/start', '/api/scan/status', '/api/scans/{id}', '/api/scan/events', '/api/library/tracks/{id}/analysis']) {
    t.ok(doc.paths[path], path)
  }
  t.ok(doc.paths['/api/scan/events'].get.responses['200'].content['text/event-stream'], 'SSE documented as text/event-stream')
  t.ok(doc.paths['/api/scan/start'].post.responses['503'], '503 documented')
})

t.test('SCAN_ON_START scans an empty library at start-up', async (t) => {
  const { env, mediaPath } = await testEnv(t)
  await writeAudioFixture(mediaPath, 'mp3', { tags: { title: 'Boot' } })
  const { app } = await buildScanAppWithEnv(t, { ...env, SCAN_ON_START: 'true' })
  let id: string | undefined
  for (let i = 0; i < 200 && id === undefined; i++) {
    id = (await app.inject('/api/scan/status')).json().scan?.id
    if (id === undefined) await new Promise((resolve) => setTimeout(resolve, 25))
  }
  t.ok(id, 'a scan was started without being asked')
  t.match(await waitForScan(app, id as string), { status: 'completed', added: 1 })
})
