// A user's maximum bitrate (set by an admin) holds for every stream of theirs: asked-for bitrates,
// raw requests and Subsonic's maxBitRate alike; a file already under it is sent as it is, and
// other users are not affected.
import t from 'tap'
import { execFile } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { subsonicLibrary, apiKeyClient } from '../fixtures/subsonic.js'
import { addUser } from '../fixtures/users.js'
import { tempDir, type TestLike } from '../helper.js'

const run = promisify(execFile)

async function probe (t: TestLike, body: Buffer): Promise<{ codec: string, bitRate: number }> {
  const dir = await tempDir(t, 'sonantica-cap-')
  const path = join(dir, 'out')
  await writeFile(path, body)
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name,bit_rate', '-of', 'json', path])
  const stream = (JSON.parse(stdout) as { streams: Array<{ codec_name: string, bit_rate?: string }> }).streams[0]
  return { codec: stream.codec_name, bitRate: Number(stream.bit_rate ?? NaN) }
}

t.test('a user\'s maximum bitrate caps every stream of theirs', async (t) => {
  const lib = await subsonicLibrary(t)
  const bo = await addUser(lib.pg, 'bo')
  const patched = await lib.app.inject({ method: 'PATCH', url: `/api/users/${bo.id}`, headers: lib.admin.headers, payload: { maxBitrate: 80 } })
  t.equal(patched.statusCode, 200)
  t.equal(patched.json().maxBitrate, 80)

  type Row = { id: string, title: string, filePath: string, format: { bitrate: number } }
  const tracks = (await lib.app.inject({ url: '/api/library/tracks?limit=-1', headers: lib.admin.headers })).json().tracks as Row[]
  const flac = tracks.find((x) => x.title === 'Jóga') as Row
  const mp3 = tracks.find((x) => x.title === 'Hunter') as Row
  t.ok(flac.format.bitrate > 85 && mp3.format.bitrate < 80, `the FLAC (${flac.format.bitrate} kbps) is over the cap, the MP3 (${mp3.format.bitrate}) under it`)
  const stream = async (headers: Record<string, string>, id: string, query = ''): Promise<{ type: string, ranges: string, body: Buffer }> => {
    const res = await lib.app.inject({ url: `/api/stream/${id}${query}`, headers })
    t.equal(res.statusCode, 200, `${id}${query}`)
    return { type: String(res.headers['content-type']), ranges: String(res.headers['accept-ranges']), body: res.rawPayload }
  }

  const own = await stream(bo.headers, flac.id)
  t.equal(own.type, 'audio/ogg', 'a FLAC with no parameters: the default format')
  t.equal(own.ranges, 'none')

  const asked = await stream(bo.headers, flac.id, '?format=mp3&bitrate=192')
  t.same(await probe(t, asked.body), { codec: 'mp3', bitRate: 80_000 }, 'an asked-for bitrate above the cap is held to it')

  const raw = await stream(bo.headers, flac.id, '?format=raw')
  t.equal(raw.type, 'audio/ogg', 'raw is transcoded too when the file is over the cap')

  const lossless = await stream(bo.headers, flac.id, '?format=flac')
  t.equal(lossless.type, 'audio/ogg', 'a lossless target cannot be capped: the default lossy format instead')

  const under = await stream(bo.headers, mp3.id)
  t.same(under.body, await readFile(join(lib.media, mp3.filePath)), 'a 64 kbps MP3 is under the 80 kbps cap: the file itself')

  const admin = await stream(lib.admin.headers, flac.id)
  t.same(admin.body, await readFile(join(lib.media, flac.filePath)), 'a user with no cap gets the file')

  const subsonic = apiKeyClient(lib.app, bo.key)
  const res = await subsonic.stream({ id: flac.id, format: 'mp3', maxBitRate: 320 })
  t.equal(res.status, 200)
  t.same(await probe(t, Buffer.from(await res.arrayBuffer())), { codec: 'mp3', bitRate: 80_000 }, 'Subsonic\'s maxBitRate above the cap is held to it')

  const download = await subsonic.download({ id: flac.id })
  t.same(Buffer.from(await download.arrayBuffer()), await readFile(join(lib.media, flac.filePath)), 'a download is the file itself, cap or not')

  const cleared = await lib.app.inject({ method: 'PATCH', url: `/api/users/${bo.id}`, headers: lib.admin.headers, payload: { maxBitrate: null } })
  t.equal(cleared.json().maxBitrate, null)
  const free = await stream(bo.headers, flac.id)
  t.equal(free.type, 'audio/flac', 'cleared: the file again')
})
