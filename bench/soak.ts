// Soak: 200 concurrent clients mixing list, search, cover and ranged stream requests for 60 s
// against a real server process and a library of real files, while a full rescan runs.
// Records requests served, errors, p99 latency, and the server's RSS and open descriptors at
// start and end.
//   npm run bench:soak
//   SOAK_TRACKS=20000 SOAK_CLIENTS=200 SOAK_SECONDS=60 SOAK_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/sonantica_soak npm run bench:soak
import { spawn, execFile } from 'node:child_process'
import { link, mkdir, mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { recreateDatabase } from './recreate-database.js'

const run = promisify(execFile)
const ROOT = fileURLToPath(new URL('../', import.meta.url))
const TRACKS = Number(process.env.SOAK_TRACKS ?? 20_000)
const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 200)
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
// SOAK_RESCAN=0 runs the same load with no rescan, to tell the rescan's memory from the load's.
const RESCAN = process.env.SOAK_RESCAN !== '0'
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
  for (let i = 0; i < TRACKS; i++) {
    // 20 files an album folder, 10 albums an artist folder.
    const dir = join(root, `Artist ${String(Math.floor(i / 200)).padStart(3, '0')}`, `Album ${String(Math.floor(i / 20)).padStart(4, '0')}`)
    if (i % 20 === 0) await mkdir(dir, { recursive: true })
    await link(sources[i % SOURCES], join(dir, `${String(i).padStart(5, '0')} track.mp3`))
  }
  return sources
}

interface Server { pid: number, url: string, stop: () => Promise<number | null> }

async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address()
      srv.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0))
    })
  })
}

// Request logging stays off (LOG_LEVEL=warn): readiness is polled instead of read from the log.
async function startServer (env: Record<string, string>): Promise<Server> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  env = { ...env, PORT: String(port) }
  const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  child.stdout.on('data', (d: Buffer) => { out += d.toString() })
  child.stderr.on('data', (d: Buffer) => { out += d.toString() })
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve))
  for (let i = 0; i < 1200; i++) {
    const up = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (up) {
      return { pid: child.pid as number, url, stop: async () => { child.kill('SIGTERM'); return await exited } }
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

async function main (): Promise<void> {
  const media = await mkdtemp(join(tmpdir(), 'sonantica-soak-'))
  let server: Server | null = null
  try {
    console.log(`building a library of ${TRACKS} files in ${media}`)
    const sources = await makeLibrary(media)
    await recreateDatabase(DB_URL)
    server = await startServer({
      POSTGRES_URL: DB_URL, MEDIA_PATH: media, DATA_DIR: join(media, '.data'), SCAN_ON_START: 'false',
      LOG_LEVEL: 'warn', HOST: '127.0.0.1'
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
    const albums = (await getJson<{ albums: Array<{ id: string }> }>(`${base}/api/library/albums?limit=500`)).albums.map((a) => a.id)

    // Every file changes (one mtime per shared inode), so the rescan re-reads all of them.
    const later = new Date(Date.now() + 60_000)
    if (RESCAN) for (const s of sources) await utimes(s, later, later)
    const before = await processStats(server.pid)
    const rescanId = RESCAN ? (await getJson<{ id: string }>(`${base}/api/scan/start`, { method: 'POST' })).id : null
    const rescanStarted = Date.now()

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
      }
    }
    await Promise.all(Array.from({ length: CLIENTS }, client))
    agent.destroy()
    const rescanStatus = await getJson<{ status: string, progress: { processed: number, total: number } }>(`${base}/api/scan/status`)
    t0 = Date.now()
    const rescan = rescanId === null ? null : await waitForScan(base, rescanId)
    const rescanTail = Math.round((Date.now() - t0) / 1000)
    const rescanTotal = Math.round((Date.now() - rescanStarted) / 1000)
    // Let idle keep-alive sockets and finished jobs settle before the second sample.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const after = await processStats(server.pid)

    latencies.sort((a, b) => a - b)
    const q = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] * 10) / 10
    const summary = {
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
      server: { start: before, end: after }
    }
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
