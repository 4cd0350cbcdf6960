// SIGTERM while 5 slow listeners hold live transcodes, on a real server process: a live transcode
// lasts as long as its listener, so shutdown ends them instead of waiting; every ffmpeg is gone
// within 2 s (none orphaned to init, none a zombie) and the process exits with 0.
import t from 'tap'
import { request } from 'node:http'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scanOverHttp, startServer } from '../fixtures/server-process.js'
import { descendantsNamed, ffmpegChildren, within } from '../fixtures/processes.js'
import { testEnv } from '../helper.js'

const LISTENERS = 5

interface Listener { status: number, received: number, firstBytes: Promise<void>, done: Promise<string>, resume: () => void }

// Reads the first chunk, then stops reading: ffmpeg soon blocks on a full pipe, as it does for a
// player whose buffer is full.
function stalledListener (url: string): Listener {
  let first!: () => void
  const listener: Listener = { status: 0, received: 0, firstBytes: new Promise((resolve) => { first = resolve }), done: Promise.resolve(''), resume: () => {} }
  listener.done = new Promise((resolve) => {
    const req = request(url, { agent: false }, (res) => {
      listener.status = res.statusCode ?? 0
      listener.resume = () => { res.resume() }
      res.once('data', (chunk: Buffer) => {
        listener.received += chunk.length
        res.pause()
        first()
      })
      res.on('error', () => {})
      // 'close' comes even to a paused response; `complete` says whether the whole body arrived.
      res.on('close', () => resolve(res.complete ? 'complete' : 'cut'))
    })
    req.on('error', (err) => { first(); resolve(err.message) })
    req.end()
  })
  return listener
}

t.test('SIGTERM with 5 live transcodes: every ffmpeg gone within 2 s, exit 0', async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { TRANSCODE_MAX: String(LISTENERS), TRANSCODE_CACHE_MB: '0' } })
  await writeAudioFixture(join(mediaPath, 'Long'), 'flac', { seconds: 120, name: 'long', tags: { title: 'Long' } })
  const server = await startServer(t, env)
  const pid = server.child.pid as number

  const tracks = await scanOverHttp(server)
  t.equal(tracks.length, 1, 'the file is indexed')

  // MP3 at 320 kbps is constant bitrate: 120 s are 4.8 MB, more than the pipe and the sockets hold.
  const listeners = Array.from({ length: LISTENERS }, () => stalledListener(`${server.url}/api/stream/${tracks[0].id}?format=mp3&bitrate=320`))
  await Promise.all(listeners.map((l) => l.firstBytes))
  t.same(listeners.map((l) => l.status), Array(LISTENERS).fill(200), 'every transcode started')
  t.equal(ffmpegChildren(pid).length, LISTENERS, `${LISTENERS} ffmpeg children of the server`)
  const ffmpegPids = ffmpegChildren(pid).map((p) => p.pid)

  const signalled = Date.now()
  server.child.kill('SIGTERM')
  const gone = await within(2000, () => ffmpegChildren(pid).length === 0)
  t.ok(gone !== null, `every ffmpeg gone within 2 s (left: ${JSON.stringify(ffmpegChildren(pid))})`)
  t.comment(`ffmpeg children all gone ${String(gone)} ms after SIGTERM`)

  const code = await server.exited
  t.comment(`process exited ${Date.now() - signalled} ms after SIGTERM`)
  t.equal(code, 0, 'the process exits with 0')
  // Not re-parented to init either: none of their pids is an ffmpeg anywhere any more.
  const orphans = descendantsNamed(1, 'ffmpeg').filter((p) => ffmpegPids.includes(p.pid))
  t.same(orphans, [], 'no orphaned ffmpeg')
  // Reading again, each finds what the server left it: the end of a body, or a cut connection.
  for (const l of listeners) l.resume()
  const outcomes = await Promise.all(listeners.map((l) => l.done))
  t.ok(outcomes.every((o) => o !== 'complete'), `every live transcode was cut, none passed off as complete (${outcomes.join(', ')})`)
})
