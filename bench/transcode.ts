// Transcoding (issue 14), all measured in one run on this machine:
//   (a) time to the first byte of a live FLAC → Opus 128 transcode, one request at a time and
//       TRANSCODE_MAX at a time (target p95 < 300 ms), and after a seek (offset);
//   (b) realtime factor per core of FLAC → Opus 128: seconds of audio per CPU second of ffmpeg,
//       run directly with the service's own arguments (lib/transcode/ffmpeg-args.ts) and through
//       the service (target >= 50x per core);
//   (c) how many 128 kbps listeners, each playing at real time, the machine carries without an
//       underrun (TRANSCODE_MAX set high; bench/transcode-listeners.ts);
//   (d) byte-range requests on a cached transcode against the same ranges of the raw file.
// Run: npm run bench:transcode   (needs ffmpeg with libopus; about 4 minutes)
// Env: BENCH_TTFB_REQUESTS (50), BENCH_LISTENERS (first level, 16; doubled until an underrun, then
// halved twice between the last good and first bad level), BENCH_LISTEN_SECONDS (15),
// BENCH_SECONDS (5, per autocannon run), BENCH_CONNECTIONS (16).
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { openSync, closeSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { request } from 'node:http'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import autocannon from 'autocannon'
import { PGlite } from '@electric-sql/pglite'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { pgliteOptions } from '../lib/pglite.js'
import { migrate } from '../lib/migrate.js'
import { ffmpegArgs, SOURCE_FD, type TranscodeSpec } from '../lib/transcode/ffmpeg-args.js'
import { seedTrack } from '../test/fixtures/seed-track.js'
import { freePort } from './free-port.js'
import { waitForHealth } from './service.js'
import { listen, type ListenResult } from './transcode-listeners.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('..', import.meta.url))
const TTFB_REQUESTS = Number(process.env.BENCH_TTFB_REQUESTS ?? 50)
const FIRST_LEVEL = Number(process.env.BENCH_LISTENERS ?? 16)
const LISTEN_SECONDS = Number(process.env.BENCH_LISTEN_SECONDS ?? 15)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const CPUS = availableParallelism()
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }))
const RANGE = 64 * 1024
// The long track is longer than the kernel's socket buffers hold at 128 kbps, so a listener that
// stops early never receives (and caches) a whole transcode.
const LONG_SECONDS = 600
const SHORT_SECONDS = 180
const OPUS: TranscodeSpec = { format: 'opus', bitrate: 128, offset: 0, channels: 2 }
const OPUS_QUERY = 'format=opus&bitrate=128'

// Music-like and hard to compress: two channels of independent pink noise over a pulsing tone.
async function makeFlac (path: string, seconds: number): Promise<void> {
  const noise = (seed: number): string[] => ['-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.2:seed=${seed}:duration=${seconds}:sample_rate=44100`]
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...noise(1), ...noise(2),
    '-f', 'lavfi', '-i', `sine=frequency=220:beep_factor=3:duration=${seconds}:sample_rate=44100`,
    '-filter_complex', '[2]asplit[s1][s2];[0][s1]amix=inputs=2[l];[1][s2]amix=inputs=2[r];[l][r]join=inputs=2:channel_layout=stereo,tremolo=f=4:d=0.5',
    '-sample_fmt', 's16', '-c:a', 'flac', path])
}

// utime+stime of a process, and of its children it has waited for (ffmpeg, once reaped), in seconds.
async function cpu (pid: number | 'self'): Promise<{ own: number, children: number }> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).replace(/^.*\) /s, '').split(' ').map(Number)
  // After the command name: field 3 is index 0, so utime (14) is 11 and cutime (16) is 13.
  return { own: (fields[11] + fields[12]) / TICKS, children: (fields[13] + fields[14]) / TICKS }
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * p) - 1)]

// Milliseconds from sending the request to the first byte of the body; the request is then dropped.
async function firstByte (url: string): Promise<{ ms: number, status: number }> {
  const sent = performance.now()
  return await new Promise((resolve, reject) => {
    const req = request(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) {
        res.resume()
        res.on('end', () => resolve({ ms: performance.now() - sent, status: res.statusCode ?? 0 }))
        return
      }
      res.once('data', () => {
        resolve({ ms: performance.now() - sent, status: 200 })
        req.destroy()
      })
    })
    req.on('error', reject)
    req.end()
  })
}

async function ttfb (urls: () => string, requests: number, concurrency: number): Promise<string> {
  const times: number[] = []
  let refused = 0
  let next = 0
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < requests) {
      const { ms, status } = await firstByte(urls())
      if (status === 200) times.push(ms)
      else refused++
    }
  }))
  times.sort((a, b) => a - b)
  return `${percentile(times, 0.5).toFixed(0)} | ${percentile(times, 0.95).toFixed(0)} | ${times[times.length - 1].toFixed(0)} | ${refused}`
}

// ffmpeg run as the service runs it, on a descriptor of the file; CPU read from our own
// children's account once it has been reaped.
async function ffmpegDirect (path: string): Promise<{ cpu: number, wall: number, bytes: number }> {
  const fd = openSync(path, 'r')
  const before = await cpu('self')
  const started = performance.now()
  const stdio: Array<'ignore' | 'pipe' | 'inherit' | number> = ['ignore', 'pipe', 'inherit']
  stdio[SOURCE_FD] = fd
  const child = spawn('ffmpeg', ffmpegArgs(OPUS), { stdio })
  let bytes = 0
  child.stdout?.on('data', (chunk: Buffer) => { bytes += chunk.length })
  const code = await new Promise((resolve) => child.once('close', resolve))
  closeSync(fd)
  if (code !== 0) throw new Error(`ffmpeg exited with ${String(code)}`)
  const wall = (performance.now() - started) / 1000
  return { cpu: (await cpu('self')).children - before.children, wall, bytes }
}

// ffmpeg alone, spawned to its first byte (the Ogg header): the floor under (a).
async function ffmpegFirstByte (path: string): Promise<number> {
  const fd = openSync(path, 'r')
  const started = performance.now()
  const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'ignore']
  stdio[SOURCE_FD] = fd
  const child = spawn('ffmpeg', ffmpegArgs(OPUS), { stdio })
  const ms = await new Promise<number>((resolve) => child.stdout?.once('data', () => resolve(performance.now() - started)))
  child.kill('SIGTERM')
  await new Promise((resolve) => child.once('close', resolve))
  closeSync(fd)
  return ms
}

async function readAll (url: string): Promise<number> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`${url}: ${res.status}`)
  return (await res.arrayBuffer()).byteLength
}

async function ranges (url: string, span: number, duration = SECONDS): Promise<autocannon.Result> {
  return await autocannon({
    url,
    connections: CONNECTIONS,
    duration,
    requests: [{
      method: 'GET',
      path: new URL(url).pathname + new URL(url).search,
      setupRequest: (req) => {
        const start = Math.floor(Math.random() * (span - RANGE))
        return { ...req, headers: { range: `bytes=${start}-${start + RANGE - 1}` } }
      }
    }]
  })
}

interface Service { base: string, child: ChildProcess, stop: () => Promise<void> }

// LOG_LEVEL=error: every listener that leaves is logged as a failed transcode at warn (ffmpeg
// answers SIGTERM with exit code 255, not a signal), thousands of lines in this bench.
async function startService (media: string, dataDir: string, env: Record<string, string>): Promise<Service> {
  const port = await freePort()
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MEDIA_PATH: media, DATA_DIR: dataDir, LOG_LEVEL: 'error', SCAN_ON_START: 'false', POSTGRES_URL: '', REDIS_HOST: '', API_KEY: '', MAX_CONNECTIONS_PER_IP: '0', ...env }
  })
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null) return
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGTERM')
    await exited
  }
  const base = `http://127.0.0.1:${port}`
  try {
    await waitForHealth(`${base}/health/ready`, child, 60)
  } catch (err) {
    await stop()
    throw err
  }
  return { base, child, stop }
}

const work = await mkdtemp(join(tmpdir(), 'sonantica-bench-transcode-'))
let service: Service | null = null
try {
  const media = join(work, 'media')
  const dataDir = join(work, 'data')
  await mkdir(join(media, 'Bench'), { recursive: true })
  await mkdir(dataDir, { recursive: true })
  const longPath = join(media, 'Bench', 'long.flac')
  const shortPath = join(media, 'Bench', 'short.flac')
  await Promise.all([makeFlac(longPath, LONG_SECONDS), makeFlac(shortPath, SHORT_SECONDS)])
  const shortSize = (await stat(shortPath)).size
  const longSize = (await stat(longPath)).size

  // The rows the scanner would write for these files (codec, bitrate, channels, duration are what
  // the transcode decision and its headers read).
  const db = new PGlite(join(dataDir, 'pglite'), pgliteOptions())
  await db.waitReady
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  await migrate(pool)
  const seed = async (filePath: string, size: number, seconds: number): Promise<string> => {
    const id = await seedTrack(pool, { filePath, fileSize: size, container: 'FLAC', codec: 'FLAC' })
    await pool.query('UPDATE tracks SET duration = $2, bitrate = $3, channels = 2, sample_rate = 44100 WHERE id = $1', [id, seconds, Math.round(size * 8 / seconds)])
    return id
  }
  const longId = await seed('Bench/long.flac', longSize, LONG_SECONDS)
  const shortId = await seed('Bench/short.flac', shortSize, SHORT_SECONDS)
  await pool.end()
  await db.close()

  const [load1] = loadavg()
  console.log(`\nTranscode bench: ${CPUS} CPUs, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} at the start; ` +
    `${execFileSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8' }).split('\n')[0]}`)
  console.log(`sources: generated FLAC 44.1 kHz/16-bit stereo, ${SHORT_SECONDS} s (${(shortSize * 8 / SHORT_SECONDS / 1000).toFixed(0)} kbps) and ` +
    `${LONG_SECONDS} s (${(longSize * 8 / LONG_SECONDS / 1000).toFixed(0)} kbps); target Opus 128 kbps in Ogg\n`)

  // (b) ffmpeg alone: one at a time, then one per CPU at once.
  const direct = [await ffmpegDirect(shortPath), await ffmpegDirect(shortPath)]
  const parallelStart = performance.now()
  const parallel = await Promise.all(Array.from({ length: CPUS }, async () => await ffmpegDirect(shortPath)))
  const parallelWall = (performance.now() - parallelStart) / 1000
  const bytesPerSecond = direct[0].bytes / SHORT_SECONDS

  service = await startService(media, dataDir, { TRANSCODE_MAX: String(CPUS) })
  const pid = service.child.pid ?? 0
  // (b) through the service: a whole transcode read as fast as it comes, which also leaves it in the cache.
  const before = await cpu(pid)
  const throughStart = performance.now()
  await readAll(`${service.base}/api/stream/${shortId}?${OPUS_QUERY}`)
  const throughWall = (performance.now() - throughStart) / 1000
  // ffmpeg's time reaches the service's account once the service has reaped it.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const after = await cpu(pid)
  const throughFfmpeg = after.children - before.children
  const throughNode = after.own - before.own

  console.log('(b) realtime factor, FLAC → Opus 128 (target >= 50x per core)\n')
  console.log('| run | audio s | ffmpeg CPU s | x realtime per CPU second | wall s | x realtime wall |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const [i, r] of direct.entries()) {
    console.log(`| ffmpeg alone, run ${i + 1} | ${SHORT_SECONDS} | ${r.cpu.toFixed(2)} | ${(SHORT_SECONDS / r.cpu).toFixed(0)} | ${r.wall.toFixed(2)} | ${(SHORT_SECONDS / r.wall).toFixed(0)} |`)
  }
  const parallelCpu = parallel.reduce((n, r) => n + r.cpu, 0)
  console.log(`| ffmpeg alone, ${CPUS} at once | ${SHORT_SECONDS * CPUS} | ${parallelCpu.toFixed(2)} | ${(SHORT_SECONDS * CPUS / parallelCpu).toFixed(0)} | ${parallelWall.toFixed(2)} | ${(SHORT_SECONDS * CPUS / parallelWall).toFixed(0)} |`)
  console.log(`| through the service | ${SHORT_SECONDS} | ${throughFfmpeg.toFixed(2)} (+ Node ${throughNode.toFixed(2)}) | ${(SHORT_SECONDS / throughFfmpeg).toFixed(0)} (${(SHORT_SECONDS / (throughFfmpeg + throughNode)).toFixed(0)} with Node) | ${throughWall.toFixed(2)} | ${(SHORT_SECONDS / throughWall).toFixed(0)} |`)
  console.log(`\nOpus 128 output: ${(bytesPerSecond / 1000).toFixed(1)} kB per audio second\n`)

  // (a) time to first byte: always a live transcode (the long track is never read to its end).
  const live = `${service.base}/api/stream/${longId}?${OPUS_QUERY}`
  await ttfb(() => live, 5, 1)
  console.log(`(a) time to first byte, live FLAC → Opus 128, ${TTFB_REQUESTS} requests each (target p95 < 300 ms)\n`)
  console.log('| requests | p50 ms | p95 ms | max ms | refused |')
  console.log('| --- | --- | --- | --- | --- |')
  const alone: number[] = []
  for (let i = 0; i < 20; i++) alone.push(await ffmpegFirstByte(longPath))
  alone.sort((a, b) => a - b)
  console.log(`| ffmpeg alone, spawn to first byte (20 runs) | ${percentile(alone, 0.5).toFixed(0)} | ${percentile(alone, 0.95).toFixed(0)} | ${alone[alone.length - 1].toFixed(0)} | - |`)
  console.log(`| one at a time | ${await ttfb(() => live, TTFB_REQUESTS, 1)} |`)
  console.log(`| ${CPUS} at a time (TRANSCODE_MAX=${CPUS}) | ${await ttfb(() => live, TTFB_REQUESTS, CPUS)} |`)
  const seek = (): string => `${live}&offset=${Math.floor(Math.random() * (LONG_SECONDS - 30))}`
  console.log(`| one at a time, random offset | ${await ttfb(seek, TTFB_REQUESTS, 1)} |`)

  // (d) the cached transcode against the raw file: the same 64 KiB ranges, within the smaller file.
  const cached = `${service.base}/api/stream/${shortId}?${OPUS_QUERY}`
  const raw = `${service.base}/api/stream/${shortId}`
  const head = await fetch(cached, { method: 'HEAD' })
  const cachedSize = Number(head.headers.get('content-length'))
  if (head.headers.get('accept-ranges') !== 'bytes') throw new Error('the finished transcode was not cached')
  // Warm-up, discarded.
  await ranges(cached, cachedSize, 2)
  await ranges(raw, cachedSize, 2)
  const rounds: Array<{ cached: autocannon.Result, raw: autocannon.Result }> = []
  for (let i = 0; i < 2; i++) rounds.push({ cached: await ranges(cached, cachedSize), raw: await ranges(raw, cachedSize) })
  console.log(`\n(d) 64 KiB range requests, ${CONNECTIONS} connections, ${SECONDS} s per run, 2 runs each taken in turn (cached transcode ${(cachedSize / 1048576).toFixed(1)} MiB)\n`)
  console.log('| file | req/s run 1 | req/s run 2 | p99 ms | non-206 |')
  console.log('| --- | --- | --- | --- | --- |')
  for (const kind of ['cached', 'raw'] as const) {
    const rs = rounds.map((r) => r[kind])
    console.log(`| ${kind === 'cached' ? 'cached transcode (Opus 128)' : 'raw FLAC'} | ${rs.map((r) => r.requests.average.toFixed(0)).join(' | ')} | ${Math.max(...rs.map((r) => r.latency.p99))} | ${rs.reduce((n, r) => n + r.errors + r.non2xx, 0)} |`)
  }
  const mean = (kind: 'cached' | 'raw'): number => rounds.reduce((n, r) => n + r[kind].requests.average, 0) / rounds.length
  console.log(`\ncached / raw: ${(mean('cached') / mean('raw')).toFixed(2)}x`)
  await service.stop()
  service = null

  // (c) listeners, with no limit on ffmpeg processes.
  service = await startService(media, dataDir, { TRANSCODE_MAX: '1024', TRANSCODE_WAIT_MS: '10000' })
  const listenPid = service.child.pid ?? 0
  // ffmpeg's CPU turned back into audio seconds made, by (b)'s rate through the service: how far
  // ahead of its listener each transcode ran (they play LISTEN_SECONDS each).
  const rtf = SHORT_SECONDS / throughFfmpeg
  const listenUrl = `${service.base}/api/stream/${longId}?${OPUS_QUERY}`
  console.log(`\n(c) listeners of live Opus 128 transcodes, each playing at 1x after a 1 s prebuffer, arriving over 5 s, playing ${LISTEN_SECONDS} s\n`)
  console.log('| listeners | underruns | failed | start p50 s | start max s | smallest buffer s | ffmpeg CPU s | Node CPU s | wall s | audio made per listener s |')
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  const level = async (n: number): Promise<ListenResult> => {
    const before = await cpu(listenPid)
    const started = performance.now()
    const r = await listen({ url: listenUrl, listeners: n, rampSeconds: 5, playSeconds: LISTEN_SECONDS, bytesPerSecond })
    // Every ffmpeg reaped before its CPU is read.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const after = await cpu(listenPid)
    console.log(`| ${n} | ${r.underruns} | ${r.failed} | ${r.startP50.toFixed(2)} | ${r.startMax.toFixed(2)} | ${r.minBuffer.toFixed(2)} | ` +
      `${(after.children - before.children).toFixed(1)} | ${(after.own - before.own).toFixed(1)} | ${((performance.now() - started) / 1000).toFixed(1)} | ` +
      `${((after.children - before.children) * rtf / n).toFixed(0)} |`)
    return r
  }
  const ok = (r: ListenResult): boolean => r.underruns === 0 && r.failed === 0
  let good = 0
  let bad = 0
  for (let n = FIRST_LEVEL; bad === 0 && n <= 2048; n *= 2) {
    if (ok(await level(n))) good = n
    else bad = n
  }
  for (let i = 0; i < 2 && bad - good > 8; i++) {
    const n = Math.round((good + bad) / 2)
    if (ok(await level(n))) good = n
    else bad = n
  }
  console.log(`\nCPU bound at 1x: ${CPUS} CPUs × ${rtf.toFixed(0)} audio s per ffmpeg CPU s = ${(CPUS * rtf).toFixed(0)} listeners, if nothing else ran and no transcode ran ahead`)
  console.log(`largest number of listeners without an underrun: ${good}${bad === 0 ? ' (no level failed)' : ` (${bad} did not hold)`}`)
  const entries = (await readdir(join(dataDir, 'transcodes'))).filter((name) => name.endsWith('.tc'))
  console.log(`transcode cache entries at the end: ${entries.length} (1 expected: the short track; the listeners never finish the long one)`)
  console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')} (was ${load1.toFixed(2)})`)
} finally {
  await service?.stop()
  await rm(work, { recursive: true, force: true })
}
