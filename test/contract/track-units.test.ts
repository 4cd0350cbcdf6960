// The OpenAPI document states the units of a track's numbers and the vocabulary of its codec,
// and what the service sends for real files keeps to them.
import t from 'tap'
import type { OpenAPIV3 } from 'openapi-types'
import { tempDir } from '../helper.js'
import { writeAudioFixture, type AudioFormat } from '../fixtures/audio.js'
import { buildScanApp, scan } from '../fixtures/scan.js'
import { KNOWN_CODECS } from '../../lib/library/audio-format.js'
import { ContractValidator } from './validator.js'

type Schema = OpenAPIV3.SchemaObject

t.test('the document says kbps, short codec names, seconds and 1-5 stars', async (t) => {
  const media = await tempDir(t, 'sonantica-units-')
  const formats: AudioFormat[] = ['mp3', 'flac', 'm4a', 'ogg', 'wav']
  for (const format of formats) await writeAudioFixture(media, format, { name: format, seconds: 2 })
  const { app } = await buildScanApp(t, { mediaPath: media })
  await scan(app)
  const doc = (await app.inject('/docs/json')).json() as OpenAPIV3.Document
  const schemas = doc.components?.schemas as Record<string, Schema>
  const format = schemas.AudioFormat.properties as Record<string, Schema>
  const track = schemas.Track.properties as Record<string, Schema>

  t.match(format.bitrate.description, /kbps/, 'bitrate: kilobits per second')
  t.equal(format.bitrate.type, 'integer')
  t.equal(format.codec.pattern, '^[a-z0-9]+$', 'codec: lower-case letters and digits')
  for (const name of KNOWN_CODECS) t.match(format.codec.description, new RegExp(`\\b${name}\\b`), `codec lists ${name}`)
  t.match(format.container.description, /long name/, 'container: the long name')
  t.equal(track.duration.type, 'number')
  t.notOk(track.duration.nullable, 'duration is never null')
  t.match(track.duration.description, /[Ss]econds/)
  t.match(track.rating, { type: 'integer', minimum: 1, maximum: 5, nullable: true })
  t.match(track.playCount, { type: 'integer', minimum: 0 })
  t.match(track.lastPlayed, { type: 'string', format: 'date-time', nullable: true })
  const patch = (doc.paths['/api/library/tracks/{id}']?.patch?.requestBody as OpenAPIV3.RequestBodyObject).content['application/json'].schema as Schema
  t.match(patch.properties, { rating: { type: 'integer', minimum: 1, maximum: 5, nullable: true }, isFavorite: { type: 'boolean' } })

  const validator = new ContractValidator(doc)
  const res = await app.inject('/api/library/tracks?limit=500')
  t.same(validator.check({ method: 'GET', url: '/api/library/tracks', status: res.statusCode, contentType: res.headers['content-type'] as string, body: res.body }), [], 'the list honours the document')
  const tracks = res.json().tracks as Array<{ filePath: string, duration: number, format: { codec: string, bitrate: number } }>
  t.equal(tracks.length, formats.length)
  for (const tr of tracks) {
    t.ok((KNOWN_CODECS as readonly string[]).includes(tr.format.codec), `${tr.filePath}: ${tr.format.codec} is a known short name`)
    t.ok(tr.format.bitrate > 0 && tr.format.bitrate < 5000, `${tr.filePath}: ${tr.format.bitrate} is kbps, not bits per second`)
    t.ok(tr.duration > 1.9 && tr.duration < 2.2, `${tr.filePath}: ${tr.duration} seconds`)
  }
})
