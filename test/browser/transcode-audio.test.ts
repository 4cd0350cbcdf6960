// Debian's chromium plays every transcode target in <audio> from a page on another origin, as a
// web player would (the key in the URL, since a media element sends no headers of its own), and
// seeks within a cached transcode by byte ranges.
import t from 'tap'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { buildWithEnv, testEnv } from '../helper.js'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scan } from '../fixtures/scan.js'
import { browserSkip, launchBrowser, openPage } from '../fixtures/browser.js'

const KEY = 'browser-transcode-key'
const AUTH = { authorization: `Bearer ${KEY}` }
// Long enough that a cached MP3 at 320 kbps (12 MB) is not read whole before a seek: the
// element has to ask for the bytes at the seek target.
const SECONDS = 300
const SEEK_TO = 250

interface Played { error?: string, start?: number, reached?: number, duration?: number, seeked?: boolean }

// Plays `src` from `seekTo` (after its metadata is known) until it has advanced a second, or says
// what the element reported. Browser-side code, so plain JavaScript run by the page.
const PLAY = `async ({ src, seekTo }) => {
  const audio = new Audio()
  audio.preload = 'metadata'
  const event = (name, done = () => true) => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no ' + name + ' within 20 s (readyState ' + audio.readyState + ', t ' + audio.currentTime + ')')), 20000)
    audio.addEventListener(name, () => { if (done()) { clearTimeout(timer); resolve() } })
    audio.addEventListener('error', () => { clearTimeout(timer); reject(new Error('media error ' + (audio.error && audio.error.code) + ': ' + (audio.error && audio.error.message))) })
  })
  try {
    const metadata = event('loadedmetadata')
    audio.src = src
    await metadata
    let seeked = false
    if (seekTo > 0) {
      const done = event('seeked')
      audio.currentTime = seekTo
      await done
      seeked = true
    }
    const start = audio.currentTime
    const advanced = event('timeupdate', () => audio.currentTime > start + 1)
    await audio.play()
    await advanced
    audio.pause()
    const out = { start, reached: audio.currentTime, duration: audio.duration, seeked }
    audio.removeAttribute('src')
    audio.load()
    return out
  } catch (err) {
    return { error: String(err) }
  }
}`

async function play (page: Page, src: string, seekTo: number): Promise<Played> {
  return await page.evaluate(`(${PLAY})(${JSON.stringify({ src, seekTo })})`) as Played
}

t.test('chromium plays each transcode target and seeks within a cached one', { skip: browserSkip() }, async (t) => {
  const { env, mediaPath } = await testEnv(t, { env: { API_KEY: KEY } })
  await writeAudioFixture(join(mediaPath, 'Long'), 'flac', { seconds: SECONDS, name: 'long', tags: { title: 'Long' } })
  const app = await buildWithEnv(t, env)
  await scan(app, AUTH)
  const id = ((await app.inject({ url: '/api/library/tracks', headers: AUTH })).json() as { tracks: Array<{ id: string }> }).tracks[0].id
  const service = await app.listen({ port: 0, host: '127.0.0.1' })
  // What the browser asked for, seen where the server receives it.
  const seen: Array<{ url: string, range?: string }> = []
  app.server.on('request', (req) => { seen.push({ url: req.url ?? '', range: req.headers.range }) })

  const context = await launchBrowser(t)
  const { page, origin } = await openPage(t, context)
  t.not(new URL(origin).port, new URL(service).port, 'the page is on another origin')

  for (const format of ['opus', 'mp3', 'aac', 'flac']) {
    await t.test(`${format}: a live transcode plays`, async (t) => {
      // Left after a second of play, so never read whole: always a live transcode, never cached.
      const src = `${service}/api/stream/${id}?format=${format}&api_key=${KEY}`
      const played = await play(page, src, 0)
      t.equal(played.error, undefined, JSON.stringify(played))
      t.ok(Number(played.reached) > 1, `played to ${String(played.reached)} s`)
      t.comment(`${format}: duration ${String(played.duration)}`)
    })
  }

  await t.test(`a cached transcode seeks: the element asks for a byte range and plays from ${SEEK_TO} s`, async (t) => {
    const src = `${service}/api/stream/${id}?format=mp3&bitrate=320&api_key=${KEY}`
    // Read whole once: a finished transcode is kept and served like a file from then on.
    const first = await fetch(src)
    t.equal(first.headers.get('accept-ranges'), 'none', 'the first one is live')
    await first.arrayBuffer()
    let cached: Response | undefined
    for (let i = 0; i < 50; i++) {
      cached = await fetch(src, { method: 'HEAD' })
      if (cached.headers.get('accept-ranges') === 'bytes') break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    t.equal(cached?.headers.get('accept-ranges'), 'bytes', 'then it is cached, with ranges')

    seen.length = 0
    const played = await play(page, src, SEEK_TO)
    t.equal(played.error, undefined, JSON.stringify(played))
    t.equal(played.seeked, true)
    t.ok(Math.abs(Number(played.start) - SEEK_TO) <= 0.5, `started at ${String(played.start)} s`)
    t.ok(Number(played.reached) > SEEK_TO + 1, `played on to ${String(played.reached)} s`)
    t.ok(Math.abs(Number(played.duration) - SECONDS) < 2, `duration ${String(played.duration)} s`)
    const ranged = seen.filter((r) => r.url.includes('bitrate=320') && /^bytes=[1-9]\d*-/.test(r.range ?? ''))
    t.ok(ranged.length > 0, `the server saw a Range request past the start: ${JSON.stringify(seen)}`)
  })
})
