// The transcoder's limits over a real socket: TRANSCODE_MAX live transcodes at once, a short wait
// for a free one, then 503 (/api) or 429 in a Subsonic envelope (/rest), both with Retry-After;
// a server without ffmpeg that still streams files; and a file ffmpeg cannot decode, which gets a
// clean error instead of a 200 that breaks off, and leaves no ffmpeg behind.
import t from 'tap'
import { randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { addUser } from '../fixtures/users.js'
import { signedUp } from '../fixtures/subsonic.js'
import { ffmpegChildren, within } from '../fixtures/processes.js'
import { buildWithEnv, testEnv, type TestApp, type TestLike } from '../helper.js'

const MAX = 2
const WAIT_MS = 300

interface Held {
  status: number
  headers: Record<string, string | string[] | undefined>
  // The body of a refusal (read whole); empty for a 200, which is left unread after its first bytes.
  body: string
  // Settles on the first body bytes of a 200, or once a refusal is read.
  ready: Promise<void>
  hangUp: () => void
}

// A listener that reads the first bytes of a transcode and then stops reading, as a player with
// a full buffer does: its ffmpeg stays busy (blocked on a full pipe) until it hangs up.
function hold (url: string): Held {
  let ready!: () => void
  const held: Held = { status: 0, headers: {}, body: '', ready: new Promise((resolve) => { ready = resolve }), hangUp: () => {} }
  const req = request(url, { agent: false }, (res) => {
    held.status = res.statusCode ?? 0
    held.headers = res.headers
    if (held.status === 200) {
      res.once('data', () => { res.pause(); ready() })
      return
    }
    res.setEncoding('utf8').on('data', (chunk: string) => { held.body += chunk })
    res.on('end', ready)
  })
  req.on('error', () => ready())
  req.end()
  held.hangUp = () => req.destroy()
  return held
}

async function track (app: TestApp, headers: Record<string, string> = {}): Promise<string> {
  return ((await app.inject({ url: '/api/library/tracks', headers })).json() as { tracks: Array<{ id: string }> }).tracks[0].id
}

async function noFfmpegLeft (t: TestLike & { ok: (v: unknown, m: string) => void }): Promise<void> {
  const gone = await within(2000, () => ffmpegChildren(process.pid).length === 0)
  t.ok(gone !== null, `no ffmpeg left (${JSON.stringify(ffmpegChildren(process.pid))})`)
}

t.test(`TRANSCODE_MAX=${MAX}, TRANSCODE_WAIT_MS=${WAIT_MS}`, async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { TRANSCODE_MAX: String(MAX), TRANSCODE_WAIT_MS: String(WAIT_MS), TRANSCODE_CACHE_MB: '0' } })
  // MP3 at 320 kbps is constant bitrate: 300 s are 12 MB, far more than pipes and sockets hold,
  // so a listener that stops reading keeps its ffmpeg (and its slot) busy.
  await writeAudioFixture(join(mediaPath, 'Long'), 'flac', { seconds: 300, name: 'long', tags: { title: 'Long' } })
  const app = await buildWithEnv(t, env)
  const admin = await addUser(app.pg, 'ana', 'admin')
  await signedUp(app)
  await scan(app, admin.headers)
  const id = await track(app, admin.headers)
  // One user may hold all slots but one (Transcoder.start): the requests here come from as many
  // users as there are requests, so only the global limit is at work.
  const users = [admin, ...await Promise.all(['bo', 'cy', 'di', 'ed'].map(async (name) => await addUser(app.pg, name)))]
  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const apiUrl = (i = 0): string => `${base}/api/stream/${id}?format=mp3&bitrate=320&api_key=${users[i].key}`
  const restUrl = (i = 0): string => `${base}/rest/stream?id=${id}&format=mp3&maxBitRate=320&apiKey=${users[i].key}&v=1.16.1&c=test&f=json`

  await t.test(`/api: ${MAX + 3} at once give ${MAX} transcodes and exactly 3 503s with Retry-After`, async (t) => {
    const all = Array.from({ length: MAX + 3 }, (_, i) => hold(apiUrl(i)))
    await Promise.all(all.map((h) => h.ready))
    const refused = all.filter((h) => h.status === 503)
    t.equal(all.filter((h) => h.status === 200).length, MAX, `${MAX} transcodes`)
    t.equal(refused.length, 3, 'exactly 3 refused')
    for (const h of refused) {
      t.match(h.headers['retry-after'], /^\d+$/, 'Retry-After in seconds')
      t.ok(Number(h.headers['retry-after']) >= 1)
      t.match(h.headers['content-type'], /^application\/json/)
      t.match(JSON.parse(h.body), { statusCode: 503, error: 'Service Unavailable', message: /busy/ })
    }
    for (const h of all) h.hangUp()
    await noFfmpegLeft(t)
  })

  await t.test('/rest/stream: the refused ones are HTTP 429 with a Subsonic error 0 and Retry-After', async (t) => {
    const all = Array.from({ length: MAX + 3 }, (_, i) => hold(restUrl(i)))
    await Promise.all(all.map((h) => h.ready))
    const refused = all.filter((h) => h.status === 429)
    t.equal(all.filter((h) => h.status === 200).length, MAX, `${MAX} transcodes`)
    t.equal(refused.length, 3, 'exactly 3 refused')
    for (const h of refused) {
      t.match(h.headers['retry-after'], /^\d+$/)
      t.match(JSON.parse(h.body), { 'subsonic-response': { status: 'failed', error: { code: 0, message: /busy/ } } })
    }
    for (const h of all) h.hangUp()
    await noFfmpegLeft(t)
  })

  await t.test('one user holds all slots but one: their next waits and is refused, another user\'s is served', async (t) => {
    const first = hold(apiUrl(0))
    await first.ready
    const second = hold(apiUrl(0))
    await second.ready
    t.equal(second.status, 503, 'the same user\'s second transcode is refused')
    const other = hold(apiUrl(1))
    await other.ready
    t.equal(other.status, 200, 'the last slot is left for someone else')
    for (const h of [first, second, other]) h.hangUp()
    await noFfmpegLeft(t)
  })

  await t.test('a waiting request gets the slot that frees within the wait', async (t) => {
    const busy = Array.from({ length: MAX }, (_, i) => hold(apiUrl(i)))
    await Promise.all(busy.map((h) => h.ready))
    t.same(busy.map((h) => h.status), Array(MAX).fill(200))
    const waiting = hold(apiUrl(MAX))
    // Well inside the wait: the request is queued by now, and the slot frees in milliseconds.
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS / 3))
    busy[0].hangUp()
    await waiting.ready
    t.equal(waiting.status, 200, 'the waiting request got the freed slot')
    for (const h of [...busy, waiting]) h.hangUp()
    await noFfmpegLeft(t)
  })

  await t.test('a listener that hangs up while waiting for a slot starts no ffmpeg', async (t) => {
    const busy = Array.from({ length: MAX }, (_, i) => hold(apiUrl(i)))
    await Promise.all(busy.map((h) => h.ready))
    const quitter = hold(apiUrl(MAX))
    await new Promise((resolve) => setTimeout(resolve, WAIT_MS / 3))
    quitter.hangUp()
    await new Promise((resolve) => setTimeout(resolve, 20))
    busy[0].hangUp()
    // The freed slot went to the waiter that had left: its ffmpeg must not outlive it.
    const settled = await within(2000, () => ffmpegChildren(process.pid).length === MAX - 1)
    t.ok(settled !== null, `only the remaining listener's ffmpeg runs (${ffmpegChildren(process.pid).length})`)
    busy[1].hangUp()
    await noFfmpegLeft(t)
    const after = hold(apiUrl())
    await after.ready
    t.equal(after.status, 200, 'every slot is free again')
    after.hangUp()
    await noFfmpegLeft(t)
  })
})

t.test('without ffmpeg: ready, transcoder missing, a transcode is 503 with a message, raw streams work', async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { FFMPEG_PATH: '/nonexistent/bin/ffmpeg' } })
  const file = await writeAudioFixture(join(mediaPath, 'Short'), 'flac', { seconds: 3, name: 'short', tags: { title: 'Short' } })
  const app = await buildWithEnv(t, env)
  await scan(app)
  const id = await track(app)

  const ready = await app.inject('/health/ready')
  t.equal(ready.statusCode, 200)
  t.match(ready.json(), { status: 'ready', checks: { transcoder: 'missing' } })

  const base = await app.listen({ port: 0, host: '127.0.0.1' })
  const transcoded = await fetch(`${base}/api/stream/${id}?format=opus`)
  t.equal(transcoded.status, 503)
  t.match(await transcoded.json(), { statusCode: 503, error: 'Service Unavailable', message: /not available on this server.*ffmpeg/ })

  const raw = await fetch(`${base}/api/stream/${id}`)
  t.equal(raw.status, 200)
  t.equal((await raw.arrayBuffer()).byteLength, (await stat(file)).size, 'the original file, whole')
  const explicitRaw = await fetch(`${base}/api/stream/${id}?format=raw`)
  t.equal(explicitRaw.status, 200)
  await explicitRaw.arrayBuffer()
})

t.test('a file ffmpeg cannot decode: a clean 500 with the error shape, and no ffmpeg left', async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { TRANSCODE_CACHE_MB: '0' } })
  const file = await writeAudioFixture(join(mediaPath, 'Broken'), 'flac', { seconds: 3, name: 'broken', tags: { title: 'Broken' } })
  const app = await buildWithEnv(t, env)
  await scan(app)
  const id = await track(app)
  // Indexed as a good FLAC, then replaced by noise of the same size.
  await writeFile(file, randomBytes((await stat(file)).size))
  const base = await app.listen({ port: 0, host: '127.0.0.1' })

  // (flac is not among them: a FLAC source asked for as flac is its own bytes, no ffmpeg.)
  for (const format of ['opus', 'mp3', 'aac']) {
    const res = await fetch(`${base}/api/stream/${id}?format=${format}`)
    t.equal(res.status, 500, `${format}: 500, not a 200 that breaks off`)
    t.match(res.headers.get('content-type'), /^application\/json/)
    t.not(res.headers.get('accept-ranges'), 'none', 'none of the audio headers')
    t.match(await res.json(), { statusCode: 500, error: 'Internal Server Error', message: /could not be transcoded/ })
  }
  await noFfmpegLeft(t)
  t.equal(app.transcoding.transcoder.running, 0, 'every slot released')
})
