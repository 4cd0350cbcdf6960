// 200 listeners of a live transcode who hang up after the first bytes, against a real server
// process: every ffmpeg is gone (no orphan, no zombie in /proc) within a couple of seconds, the
// server's descriptors are back where they were, and it keeps serving.
import t from 'tap'
import { request } from 'node:http'
import { join } from 'node:path'
import { writeAudioFixture } from '../fixtures/audio.js'
import { scanOverHttp, startServer, type RunningProcess } from '../fixtures/server-process.js'
import { ffmpegChildren, openDescriptors, within } from '../fixtures/processes.js'
import { testEnv } from '../helper.js'

const ABORTS = 200
// Requests in flight at once: the slots, so none waits long and none is refused.
const WAVE = 4
// Descriptors the server may hold more or fewer than before for reasons of its own (a pooled
// database connection, a timer's pipe).
const FD_SLACK = 4

interface Outcome { status: number, bytes: number, error: string | null }

// One request that hangs up: after its first body bytes, or `afterMs` after it was sent.
async function hangUp (url: string, afterMs: number | null = null): Promise<Outcome> {
  return await new Promise((resolve) => {
    const outcome: Outcome = { status: 0, bytes: 0, error: null }
    const req = request(url, { agent: false }, (res) => {
      outcome.status = res.statusCode ?? 0
      res.once('data', (chunk: Buffer) => {
        outcome.bytes = chunk.length
        req.destroy()
        resolve(outcome)
      })
      res.once('end', () => resolve(outcome))
    })
    req.on('error', (err) => { if (outcome.error === null) outcome.error = err.message; resolve(outcome) })
    req.on('close', () => resolve(outcome))
    if (afterMs !== null) setTimeout(() => req.destroy(), afterMs)
    req.end()
  })
}

async function inWaves<T> (count: number, wave: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = []
  let next = 0
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) out[i] = await run(i)
  }
  await Promise.all(Array.from({ length: wave }, worker))
  return out
}

async function indexedTrack (server: RunningProcess): Promise<string> {
  return (await scanOverHttp(server))[0].id
}

t.test('200 live transcodes aborted after their first bytes leave no ffmpeg and no descriptor behind', async (t) => {
  // The cache off: every request is a live ffmpeg, none is answered from a finished file.
  const { env, mediaPath } = await testEnv(t, { env: { TRANSCODE_MAX: String(WAVE), TRANSCODE_WAIT_MS: '10000', TRANSCODE_CACHE_MB: '0' } })
  await writeAudioFixture(join(mediaPath, 'Long'), 'flac', { seconds: 90, name: 'long', tags: { title: 'Long' } })
  const server = await startServer(t, env)
  const pid = server.child.pid as number
  const id = await indexedTrack(server)
  const url = (i: number): string => `${server.url}/api/stream/${id}?format=opus&bitrate=${64 + (i % 100)}`

  // Warm-up: the first transcode and the first abort open what the process keeps (database
  // connections, the logger), so the baseline is the server at rest after both.
  const whole = await fetch(url(0))
  t.equal(whole.status, 200)
  t.ok((await whole.arrayBuffer()).byteLength > 100_000, 'a whole transcode is served')
  await hangUp(url(1))
  t.ok(await within(2000, () => ffmpegChildren(pid).length === 0) !== null, 'warm-up ffmpeg gone')
  await new Promise((resolve) => setTimeout(resolve, 300))
  const baseline = openDescriptors(pid)
  t.comment(`descriptors at rest: ${baseline}`)

  const started = Date.now()
  const outcomes = await inWaves(ABORTS, WAVE, async (i) => await hangUp(url(i)))
  const seconds = (Date.now() - started) / 1000
  t.comment(`${ABORTS} aborted transcodes in ${seconds.toFixed(1)} s`)
  t.same(outcomes.filter((o) => o.status !== 200 || o.bytes === 0), [], 'every request got 200 and audio bytes before it hung up')

  // And listeners who go before any byte (while ffmpeg starts, or while waiting for a slot).
  const early = await inWaves(40, WAVE * 2, async (i) => await hangUp(url(i), i % 20))
  t.ok(early.every((o) => o.bytes === 0 || o.status === 200), 'early hang-ups saw nothing but audio')

  const cleared = await within(2000, () => ffmpegChildren(pid).length === 0)
  t.ok(cleared !== null, `no ffmpeg left within 2 s: ${JSON.stringify(ffmpegChildren(pid))}`)
  t.comment(`ffmpeg processes all gone ${String(cleared)} ms after the last abort`)
  t.same(ffmpegChildren(pid).filter((p) => p.state === 'Z'), [], 'no zombie ffmpeg')

  const settled = await within(2000, () => Math.abs(openDescriptors(pid) - baseline) <= FD_SLACK, 50)
  t.ok(settled !== null, `descriptors back to ${baseline} ± ${FD_SLACK} (now ${openDescriptors(pid)})`)

  const health = await fetch(`${server.url}/health`)
  t.equal(health.status, 200, 'the server still answers')
  const again = await fetch(url(7))
  t.equal(again.status, 200)
  t.ok((await again.arrayBuffer()).byteLength > 100_000, 'and still transcodes a whole track')
  t.equal(ffmpegChildren(pid).length, 0)

  server.child.kill('SIGTERM')
  t.equal(await server.exited, 0)
})
