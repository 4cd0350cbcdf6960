// Soak: 200 concurrent clients mixing list, search, cover and ranged stream requests for 60 s
// against a real server process and a library of real files, while a full rescan runs.
// Records requests served, errors, p99 latency, and the server's RSS, V8 heap and open
// descriptors: at start and end, and every few seconds in between (a table), so a longer run
// tells a plateau from a leak.
//   npm run bench:soak
//   SOAK_TRACKS=20000 SOAK_CLIENTS=200 SOAK_SECONDS=60 SOAK_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/sonantica_soak npm run bench:soak
//   BENCH_SECONDS=300 npm run bench:soak                   (a longer run; SOAK_SECONDS wins if both are set)
//   SOAK_SAMPLE_SECONDS=5                                   (seconds between samples)
//   SOAK_HEAP_SNAPSHOTS=<dir> SOAK_SNAPSHOT_SECONDS=60      (heap snapshots after a full GC, at the start,
//                                                            every N s of load and at the end; each pauses the server)
//   SOAK_STALLED=1 SOAK_STALLED_SSE=300 SOAK_STALLED_STREAMS=100
//                                                           (clients that connect and never read a byte: scan event
//                                                            streams and whole downloads of a 10-minute track,
//                                                            opened just before the rescan, closed after the load)
import { spawn, execFile } from 'node:child_process'
import { link, mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { connect, type Socket } from 'node:net'
import { freePort } from './free-port.js'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { recreateDatabase } from './recreate-database.js'
import type { ProbeReply, ProbeRequest, ProbeSample } from './soak-probe.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TRACKS = Number(process.env.SOAK_TRACKS ?? 20_000)
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200)
const SECONDS = Number(process.env.SOAK_SECONDS ?? process.env.BENCH_SECONDS ?? 60)
const SAMPLE_SECONDS = Number(process.env.SOAK_SAMPLE_SECONDS ?? 5)
const SNAPSHOT_DIR = process.env.SOAK_HEAP_SNAPSHOTS ?? null
const SNAPSHOT_SECONDS = Number(process.env.SOAK_SNAPSHOT_SECONDS ?? 60)
// SOAK_RESCAN=0 runs the same load with no rescan, to tell the rescan's memory from the load's.
const RESCAN = process.env.SOAK_RESCAN !== '0'
const STALLED = process.env.SOAK_STALLED === '1'
const STALLED_SSE = Number(process.env.SOAK_STALLED_SSE ?? 300)
const STALLED_STREAMS = Number(process.env.SOAK_STALLED_STREAMS ?? 100)
// One long track (10 minutes, about 9.6 MB) in every run, for the stalled downloads: larger than
// what the kernel's socket buffers take, so a reader that stops leaves bytes waiting in the server.
const LONG_TRACK = 'Long Player/Long/long.mp3'
const DB_URL = process.env.SOAK_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_soak'
// Distinct encoded sources; every library path is a hard link to one of them (no disk cost).
const SOURCES = 80
const WORDS = ['river', 'night', 'ember', 'glass', 'signal', 'harbour', 'velvet', 'thunder', 'mirror', 'desert',
  'hollow', 'neon', 'island', 'winter', 'paper', 'ghost', 'silver', 'morning', 'garden', 'storm']

async function makeLibrary (root: string): Promise<string[]> {
  const sources: string[] = []
  const cover = join(root, '.cover.png')
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=teal:s=300x300', '-frames:v', '1', cover])
  for (let i = 0; i < SOURCES; i++) {
    const path = join(root, `.src-${i}.mp3`)
    const artist = `${WORDS[i % WORDS.length]} Collective ${Math.floor(i / WORDS.length)}`
    await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `sine=frequency=${220 + i * 10}:duration=16`,
      '-i', cover, '-map', '0:a', '-map', '1:v', '-c:v', 'png', '-disposition:v', 'attached_pic',
      '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-id3v2_version', '3',
      '-metadata', `title=${WORDS[(i * 3) % WORDS.length]} song ${i}`, '-metadata', `artist=${artist}`,
      '-metadata', `album=${WORDS[(i * 7) % WORDS.length]} album ${i}`, '-metadata', `genre=${i % 2 === 0 ? 'Rock' : 'Jazz'}`,
      '-metadata', `track=${i + 1}`, path])
    sources.push(path)
  }
  await mkdir(join(root, 'Long Player', 'Long'), { recursive: true })
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=330:duration=600',
    '-ac', '2', '-c:a', 'libmp3lame', '-b:a', '128k', '-metadata', 'title=Long', '-metadata', 'artist=Long Player',
    '-metadata', 'album=Long', join(root, LONG_TRACK)])
  for (let i = 0; i < TRACKS; i++) {
    // 20 files an album folder, 10 albums an artist folder.
    const dir = join(root, `Artist ${String(Math.floor(i / 200)).padStart(3, '0')}`, `Album ${String(Math.floor(i / 20)).padStart(4, '0')}`)
    if (i % 20 === 0) await mkdir(dir, { recursive: true })
    await link(sources[i % SOURCES], join(dir, `${String(i).padStart(5, '0')} track.mp3`))
  }
  return sources
}

interface Server {
  pid: number
  url: string
  stop: () => Promise<number | null>
  // Asks the probe preloaded into the server (bench/soak-probe.ts).
  probe: <R extends ProbeReply>(req: DistributiveOmit<ProbeRequest, 'id'>) => Promise<R>
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

// Request logging stays off (LOG_LEVEL=warn): readiness is polled instead of read from the log.
async function startServer (env: Record<string, string>): Promise<Server> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  env = { ...env, PORT: String(port) }
  const child = spawn(process.execPath, ['--import', 'tsx', '--import', './bench/soak-probe.ts', 'server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env, SOAK_PROBE: '1' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let nextId = 0
  const waiting = new Map<number, (reply: ProbeReply) => void>()
  child.on('message', (reply: ProbeReply) => { waiting.get(reply.id)?.(reply); waiting.delete(reply.id) })
  const probe = async <R extends ProbeReply>(req: DistributiveOmit<ProbeRequest, 'id'>): Promise<R> => {
    const id = nextId++
    return await new Promise<R>((resolve) => {
      waiting.set(id, resolve as (reply: ProbeReply) => void)
      child.send({ ...req, id })
    })
  }
  let out = ''
  child.stdout?.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr?.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  for (let i = 0; i < 1200; i++) {
    const up = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (up) {
      return { pid: child.pid as number, url, probe, stop: async () => { child.kill('SIGTERM'); return await exited } }
    }
    if (child.exitCode !== null) break
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`server did not start:\n${out}`)
}

async function processStats (pid: number): Promise<{ rssMb: number, fds: number }> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { rssMb: Math.round(rssKb / 102.4) / 10, fds: (await readdir(`/proc/${pid}/fd`)).length }
}

interface Sample extends ProbeSample { t: number, fds: number, requests: number, rescan: string }

const COLUMNS: Array<[string, (s: Sample) => string]> = [
  ['t (s)', (s) => String(s.t)],
  ['RSS MB', (s) => s.rssMb.toFixed(1)],
  ['heap used MB', (s) => s.heapUsedMb.toFixed(1)],
  ['heap total MB', (s) => s.heapTotalMb.toFixed(1)],
  ['external MB', (s) => s.externalMb.toFixed(1)],
  ['fds', (s) => String(s.fds)],
  ['handles', (s) => String(s.handles)],
  ['requests', (s) => String(s.requests)],
  ['rescan', (s) => s.rescan]
]
const row = (cells: string[]): string => `| ${cells.join(' | ')} |`
const header = (): string => `${row(COLUMNS.map(([name]) => name))}\n${row(COLUMNS.map(() => '---'))}`
const formatSample = (s: Sample): string => row(COLUMNS.map(([, cell]) => cell(s)))

async function getJson<T> (url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init)
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`)
  return await res.json() as T
}

async function waitForScan (base: string, id: string): Promise<{ status: string, added: number, updated: number, filesSeen: number }> {
  for (;;) {
    const scan = await getJson<{ status: string, added: number, updated: number, filesSeen: number }>(`${base}/api/scans/${id}`)
    if (scan.status !== 'queued' && scan.status !== 'running') return scan
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
}

interface Result { status: number, ms: number, error?: string }

function call (agent: Agent, url: string, headers: Record<string, string> = {}): Promise<Result> {
  const started = performance.now()
  return new Promise((resolve) => {
    const req = request(url, { agent, headers }, (res) => {
      res.on('data', () => {})
      res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - started }))
      res.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, error: err.message }))
    })
    req.on('error', (err) => resolve({ status: 0, ms: performance.now() - started, error: err.message }))
    req.end()
  })
}

// Connects, sends one request and never reads: the server's writes fill the kernel's buffers
// and then wait on it.
async function stalledClient (base: string, path: string): Promise<Socket> {
  const url = new URL(base)
  const socket = connect({ host: url.hostname, port: Number(url.port) })
  socket.on('error', () => {})
  await new Promise<void>((resolve) => { socket.once('connect', resolve); socket.once('error', () => resolve()) })
  socket.write(`GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`)
  socket.pause()
  return socket
}

async function openStalled (base: string): Promise<Socket[]> {
  const sockets: Socket[] = []
  for (let i = 0; i < STALLED_SSE; i++) sockets.push(await stalledClient(base, '/api/scan/events'))
  const long = `/api/stream/${LONG_TRACK.split('/').map(encodeURIComponent).join('/')}`
  for (let i = 0; i < STALLED_STREAMS; i++) sockets.push(await stalledClient(base, long))
  return sockets
}

async function main (): Promise<void> {
  const media = await mkdtemp(join(tmpdir(), 'sonantica-soak-'))
  let server: Server | null = null
  try {
    console.log(`building a library of ${TRACKS} files in ${media}`)
    const sources = await makeLibrary(media)
    await recreateDatabase(DB_URL)
    server = await startServer({
      POSTGRES_URL: DB_URL,
      MEDIA_PATH: media,
      DATA_DIR: join(media, '.data'),
      SCAN_ON_START: 'false',
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      // Every client here shares one address; the event stream cap would hide what stalled
      // streams cost. Both runs, with and without stalled clients, use the same settings.
      MAX_CONNECTIONS_PER_IP: '0',
      SSE_MAX_CLIENTS: '1000'
    })
    const base = server.url
    let t0 = Date.now()
    const first = await waitForScan(base, (await getJson<{ id: string }>(`${base}/api/scan/start`, { method: 'POST' })).id)
    console.log(`initial scan: ${first.status}, ${first.added} added in ${((Date.now() - t0) / 1000).toFixed(1)} s`)

    const tracks: string[] = []
    for (let offset = 0; offset < 2000; offset += 500) {
      const page = await getJson<{ tracks: Array<{ id: string }> }>(`${base}/api/library/tracks?limit=500&offset=${offset}`)
      tracks.push(...page.tracks.map((t) => t.id))
    }
    const albums = (await getJson<{ albums: Array<{ id: string, coverArt: string | null }> }>(`${base}/api/library/albums?limit=500`)).albums
      .filter((a) => a.coverArt !== null).map((a) => a.id)

    // Every file changes (one mtime per shared inode), so the rescan re-reads all of them.
    const later = new Date(Date.now() + 60_000)
    if (RESCAN) for (const s of sources) await utimes(s, later, later)
    const srv = server
    const samples: Sample[] = []
    let served = 0
    let loadStarted = Date.now()
    let rescanState = RESCAN ? 'queued' : '-'
    const sample = async (): Promise<Sample> => {
      const [stats, probed] = await Promise.all([processStats(srv.pid), srv.probe<{ id: number, sample: ProbeSample }>({ type: 'sample' })])
      const s = { t: Math.round((Date.now() - loadStarted) / 1000), ...probed.sample, ...stats, requests: served, rescan: rescanState }
      samples.push(s)
      console.log(formatSample(s))
      return s
    }
    const snapshot = async (label: string): Promise<void> => {
      if (SNAPSHOT_DIR === null) return
      await mkdir(SNAPSHOT_DIR, { recursive: true })
      const path = join(SNAPSHOT_DIR, `soak-${label}.heapsnapshot`)
      const reply = await srv.probe<{ id: number, path: string, ms: number }>({ type: 'snapshot', path, gc: true })
      console.log(`heap snapshot ${reply.path} (${reply.ms} ms, server paused)`)
    }

    // The initial scan's parse threads are let go a second after indexing pauses; the first
    // sample must not count them, or start and end would not compare like with like.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const load = (): string => loadavg().map((l) => l.toFixed(2)).join(', ')
    const loadBefore = load()
    await snapshot('0000s')
    console.log(`load average before the load: ${loadBefore}`)
    console.log(header())
    loadStarted = Date.now()
    const before = await sample()
    const stalled = STALLED ? await openStalled(base) : []
    if (STALLED) console.log(`stalled clients: ${STALLED_SSE} event streams and ${STALLED_STREAMS} downloads of ${LONG_TRACK}, connected and not reading`)
    const rescanId = RESCAN ? (await getJson<{ id: string }>(`${base}/api/scan/start`, { method: 'POST' })).id : null
    const rescanStarted = Date.now()
    let sampling = true
    const sampler = (async () => {
      let nextSnapshot = SNAPSHOT_SECONDS
      // The load below clears `sampling` when it ends.
      // eslint-disable-next-line no-unmodified-loop-condition
      while (sampling) {
        await new Promise((resolve) => setTimeout(resolve, SAMPLE_SECONDS * 1000))
        if (!sampling) break
        if (rescanId !== null && rescanState !== 'completed' && rescanState !== 'failed') {
          const scan = await getJson<{ status: string, scan: { status: string } | null, progress: { processed: number, total: number } }>(`${base}/api/scan/status`)
            .catch(() => null)
          if (scan !== null) rescanState = scan.scan?.status === 'running' ? `${scan.progress.processed}/${scan.progress.total}` : scan.scan?.status ?? '?'
        }
        await sample()
        const elapsed = (Date.now() - loadStarted) / 1000
        if (elapsed >= nextSnapshot && elapsed < SECONDS) {
          await snapshot(`${String(Math.round(elapsed)).padStart(4, '0')}s`)
          nextSnapshot += SNAPSHOT_SECONDS
        }
      }
    })()

    const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS })
    const latencies: number[] = []
    const errors: string[] = []
    const byKind: Record<string, number> = { list: 0, search: 0, cover: 0, stream: 0 }
    const deadline = Date.now() + SECONDS * 1000
    let n = 0
    const pick = <T>(list: T[]): T => list[Math.floor(Math.random() * list.length)]
    const client = async (): Promise<void> => {
      while (Date.now() < deadline) {
        const kind = (['list', 'search', 'cover', 'stream'] as const)[n++ % 4]
        let r: Result
        if (kind === 'list') r = await call(agent, `${base}/api/library/tracks?limit=50&offset=${Math.floor(Math.random() * 19_000)}&sort=title`)
        else if (kind === 'search') r = await call(agent, `${base}/api/library/search?q=${pick(WORDS)}`)
        else if (kind === 'cover') r = await call(agent, `${base}/api/cover/${pick(albums)}`)
        else {
          const start = Math.floor(Math.random() * 250_000)
          r = await call(agent, `${base}/api/stream/${pick(tracks)}`, { range: `bytes=${start}-${start + 65_535}` })
        }
        const ok = kind === 'stream' ? r.status === 206 : r.status === 200
        if (!ok) errors.push(`${kind}: ${r.status} ${r.error ?? ''}`)
        latencies.push(r.ms)
        byKind[kind]++
        served++
      }
    }
    await Promise.all(Array.from({ length: CLIENTS }, client))
    agent.destroy()
    const rescanStatus = await getJson<{ status: string, progress: { processed: number, total: number } }>(`${base}/api/scan/status`)
    t0 = Date.now()
    const rescan = rescanId === null ? null : await waitForScan(base, rescanId)
    const rescanTail = Math.round((Date.now() - t0) / 1000)
    const rescanTotal = Math.round((Date.now() - rescanStarted) / 1000)
    if (rescan !== null) rescanState = rescan.status
    sampling = false
    await sampler
    const stalledAtEnd = STALLED ? await processStats(srv.pid) : null
    for (const socket of stalled) socket.destroy()
    // Let idle keep-alive sockets and finished jobs settle before the last sample.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const after = await sample()
    await snapshot('end')

    latencies.sort((a, b) => a - b)
    const q = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10
    const summary = {
      loadAverage: { before: loadBefore, after: load() },
      tracks: TRACKS,
      clients: CLIENTS,
      seconds: SECONDS,
      requests: latencies.length,
      perSecond: Math.round(latencies.length / SECONDS),
      byKind,
      errors: errors.length,
      firstErrors: errors.slice(0, 5),
      p50ms: q(0.5),
      p99ms: q(0.99),
      maxMs: q(1),
      rescan: rescan === null ? null : { status: rescan.status, updated: rescan.updated, filesSeen: rescan.filesSeen, atEndOfSoak: rescanStatus.progress, finishedSecondsAfterSoak: rescanTail, totalSeconds: rescanTotal },
      stalled: STALLED ? { sse: STALLED_SSE, streams: STALLED_STREAMS, fdsBeforeClosingThem: stalledAtEnd?.fds } : null,
      server: {
        start: { rssMb: before.rssMb, heapUsedMb: before.heapUsedMb, fds: before.fds },
        peak: { rssMb: Math.max(...samples.map((x) => x.rssMb)), fds: Math.max(...samples.map((x) => x.fds)) },
        end: { rssMb: after.rssMb, heapUsedMb: after.heapUsedMb, fds: after.fds }
      }
    }
    console.log(`\nsamples every ${SAMPLE_SECONDS} s (t from the start of the load, which lasted ${SECONDS} s)\n${header()}\n${samples.map(formatSample).join('\n')}\n`)
    console.log(JSON.stringify(summary, null, 2))
    const code = await server.stop()
    server = null
    console.log(`server exit code after SIGTERM: ${code}`)
    if (errors.length > 0) process.exitCode = 1
  } finally {
    if (server !== null) await server.stop()
    await rm(media, { recursive: true, force: true })
  }
}

await main()
