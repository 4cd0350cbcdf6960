// GET /metrics: the counters move by what the test itself sent and received, over real sockets.
import t from 'tap'
import { join } from 'node:path'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { once } from 'node:events'
import { availableParallelism } from 'node:os'
import { writeAudioFixture } from '../fixtures/audio.js'
import { buildScanApp, waitForScan } from '../fixtures/scan.js'
import { parseScrape, value, type Scrape } from '../fixtures/prometheus.js'
import { eachVariant, tempDir, type TestApp } from '../helper.js'

async function scrape (app: TestApp): Promise<Scrape> {
  const res = await app.inject('/metrics')
  if (res.statusCode !== 200) throw new Error(`/metrics answered ${res.statusCode}`)
  return parseScrape(res.body)
}

t.test('a scrape during a scan and a stream shows the counters move by the right amounts', async (t) => {
  await eachVariant(t, { redis: 'both' }, async (t, v) => {
    const media = await tempDir(t, 'sonantica-metrics-media-')
    const files = 6
    for (let i = 1; i <= files; i++) {
      await writeAudioFixture(join(media, 'Artist', `Album ${i % 2}`), i % 2 === 0 ? 'mp3' : 'flac', {
        name: `track-${i}`,
        tags: { title: `Song ${i}`, artist: 'Artist', album: `Album ${i % 2}`, track: String(i) }
      })
    }
    // Long enough that a listener who stops reading leaves the server with bytes still to send.
    await writeAudioFixture(join(media, 'Long'), 'wav', { name: 'long', seconds: 120, tags: { title: 'Long', artist: 'Long', album: 'Long' } })
    const { app } = await buildScanApp(t, { backend: v.backend, redis: v.redis, mediaPath: media })

    const before = await scrape(app)
    t.equal(value(before, 'sonantica_scans_running'), 0, 'no scan runs yet')
    const started = await app.inject({ method: 'POST', url: '/api/scan/start' })
    t.equal(started.statusCode, 202)
    const during = await scrape(app)
    t.equal(value(during, 'sonantica_scans_running'), 1, 'the scan just started shows as running')
    const finished = await waitForScan(app, started.json().id as string)
    t.equal(finished.status, 'completed')
    const after = await scrape(app)
    const moved = (key: string): number => value(after, key) - value(before, key)
    t.equal(value(after, 'sonantica_scans_running'), 0, 'and no longer once it finished')
    t.equal(moved('sonantica_scans_total{status="completed"}'), 1, 'one scan completed')
    t.equal(moved('sonantica_scan_files_total{outcome="seen"}'), files + 1, 'every file was seen')
    t.equal(moved('sonantica_scan_files_total{outcome="added"}'), files + 1, 'and added')
    t.equal(moved('sonantica_scan_files_total{outcome="failed"}'), 0)
    t.ok(value(after, 'sonantica_scan_last_duration_seconds') > 0, 'the scan\'s duration is known')
    t.ok(moved('sonantica_scan_duration_seconds_total') > 0)
    // Parsing goes to threads on a machine with two cores or more (lib/scan/parse-threads.ts).
    if (availableParallelism() >= 2) t.ok(moved('sonantica_parse_thread_busy_seconds_total') > 0, 'the parse threads\' work is counted')
    t.ok(after.series.has('sonantica_parse_threads'), 'the running threads are a gauge')

    // Requests counted by the test, against the counter for their route pattern.
    const all = (await app.inject('/api/library/tracks?sort=title')).json().tracks as Array<{ id: string, title: string }>
    t.equal(all.length, files + 1)
    const long = all.find((track) => track.title === 'Long')
    const tracks = all.filter((track) => track !== long)
    const lists = 7
    const beforeLists = await scrape(app)
    for (let i = 0; i < lists; i++) await app.inject(`/api/library/tracks?offset=${i % 2}`)
    const afterLists = await scrape(app)
    const listKey = 'sonantica_http_requests_total{route="/api/library/tracks",method="GET",status_code="200"}'
    t.equal(value(afterLists, listKey) - value(beforeLists, listKey), lists, `${lists} list requests counted`)
    t.equal(value(afterLists, 'sonantica_http_request_duration_seconds_count{route="/api/library/tracks",method="GET"}') -
      value(beforeLists, 'sonantica_http_request_duration_seconds_count{route="/api/library/tracks",method="GET"}'), lists, 'and timed')
    const hits = value(afterLists, 'sonantica_response_cache_hits_total') - value(beforeLists, 'sonantica_response_cache_hits_total')
    const misses = value(afterLists, 'sonantica_response_cache_misses_total') - value(beforeLists, 'sonantica_response_cache_misses_total')
    t.equal(hits + misses, lists, 'every cacheable list request was a hit or a miss')
    t.equal(misses, 2, 'two distinct pages were computed, the rest answered from the cache')

    // Streams over a real socket: the body bytes the client received are the bytes counted.
    const address = await app.listen({ port: 0, host: '127.0.0.1' })
    const beforeStreams = await scrape(app)
    let received = 0
    const whole = await fetch(`${address}/api/stream/${tracks[0].id}`)
    received += (await whole.arrayBuffer()).byteLength
    const range = await fetch(`${address}/api/stream/${tracks[1].id}`, { headers: { range: 'bytes=10-1033' } })
    t.equal(range.status, 206)
    received += (await range.arrayBuffer()).byteLength
    t.equal(received, Number(whole.headers.get('content-length')) + 1024)
    const head = await fetch(`${address}/api/stream/${tracks[0].id}`, { method: 'HEAD' })
    t.equal(head.status, 200, 'a HEAD is no stream')
    const missing = await fetch(`${address}/api/stream/00000000-0000-4000-8000-000000000000`)
    t.equal(missing.status, 404, 'nor is a 404')
    await missing.arrayBuffer()
    const afterTwo = await scrape(app)
    t.equal(value(afterTwo, 'sonantica_stream_sent_bytes_total') - value(beforeStreams, 'sonantica_stream_sent_bytes_total'), received,
      `the ${received} body bytes the client received are the bytes counted`)
    t.equal(value(afterTwo, 'sonantica_streams_total') - value(beforeStreams, 'sonantica_streams_total'), 2, 'two audio responses were sent')

    // A listener that stops reading holds an active stream until it goes.
    const held = await new Promise<IncomingMessage>((resolve, reject) => {
      httpRequest(`${address}/api/stream/${long?.id ?? ''}`, resolve).on('error', reject).end()
    })
    held.pause()
    const holding = await scrape(app)
    t.equal(value(holding, 'sonantica_streams_active'), 1, 'one stream is being sent')
    held.destroy()
    await once(held, 'close')
    let afterStreams = await scrape(app)
    for (let i = 0; i < 50 && value(afterStreams, 'sonantica_streams_active') !== 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      afterStreams = await scrape(app)
    }
    t.equal(value(afterStreams, 'sonantica_streams_active'), 0, 'none once the listener left')
    t.equal(value(afterStreams, 'sonantica_streams_total') - value(beforeStreams, 'sonantica_streams_total'), 3, 'three audio responses were started')
    t.ok(value(afterStreams, 'sonantica_stream_sent_bytes_total') > value(afterTwo, 'sonantica_stream_sent_bytes_total'), 'what the paused listener\'s socket took is counted too')
    t.equal(value(afterStreams, 'sonantica_http_requests_total{route="/api/stream/:id",method="GET",status_code="206"}') -
      value(beforeStreams, 'sonantica_http_requests_total{route="/api/stream/:id",method="GET",status_code="206"}'), 1, 'the range request is counted by its status')
  })
})
