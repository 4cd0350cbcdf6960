// Streaming speed: the service vs @fastify/static vs nginx (sendfile) on the same file and load, and
// the service behind nginx with STREAM_OFFLOAD=x-accel (it authorises and resolves, nginx sends).
// Run: npm run bench:stream  (needs wrk and nginx: apt-get install -y nginx-light wrk)
// The machine is shared, so targets take turns for BENCH_ROUNDS rounds and the median counts.
// Env: BENCH_SECONDS (default 5 per run), BENCH_ROUNDS (3), BENCH_CONNECTIONS (16), NGINX_WORKERS (1), BENCH_NODE_ARGS (extra
// node flags for the services, e.g. --cpu-prof), BENCH_TARGETS (comma-separated subset of service,
// @fastify/static, nginx, x-accel, x-accel answer; default all), BENCH_KINDS (ranges,whole), BENCH_API_KEY (set: the
// services need it and wrk sends it as a Bearer header; nginx and @fastify/static check nothing).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, cp, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { PGlite } from '@electric-sql/pglite'
import { pgliteOptions } from '../lib/pglite.js'
import { freePort } from './free-port.js'
import { createPgConfig } from '@electric-sql/pglite/node-postgres'
import { migrate } from '../lib/migrate.js'
import { seedTrack } from '../test/fixtures/seed-track.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16)
const NGINX_WORKERS = Number(process.env.NGINX_WORKERS ?? 1)
const API_KEY = process.env.BENCH_API_KEY ?? ''
const ALL_TARGETS = ['service', '@fastify/static', 'nginx', 'x-accel', 'x-accel answer'] as const
type TargetName = typeof ALL_TARGETS[number]
const WANTED = new Set((process.env.BENCH_TARGETS ?? ALL_TARGETS.join(',')).split(',').map((name) => name.trim()))
const KINDS = new Set((process.env.BENCH_KINDS ?? 'ranges,whole').split(',').map((name) => name.trim()))
const FILE_SIZE = 10 * 1024 * 1024
const RANGE = 64 * 1024

async function waitForHttp (url: string, authorised: boolean): Promise<void> {
  // Two services each starting an embedded PGlite take a while on a busy machine.
  for (let i = 0; i < 1200; i++) {
    try {
      const res = await fetch(url, { headers: authorised && API_KEY !== '' ? { authorization: `Bearer ${API_KEY}` } : {} })
      await res.arrayBuffer()
      if (res.status < 500) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${url} did not come up`)
}

function rssKiB (pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0), () => 0)
}

interface WrkResult { rps: number, mibPerSec: number, errors: number, p99: string }

const EMPTY: WrkResult = { rps: 0, mibPerSec: 0, errors: 0, p99: '-' }

function wrk (url: string, script: string | null, authorised: boolean): WrkResult {
  const args = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency']
  if (script !== null) args.push('-s', script)
  if (authorised && API_KEY !== '') args.push('-H', `Authorization: Bearer ${API_KEY}`)
  const out = execFileSync('wrk', [...args, url], { encoding: 'utf8' })
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0)
  const transfer = /Transfer\/sec:\s+([\d.]+)(\w+)/.exec(out)
  const scale: Record<string, number> = { B: 1 / 1048576, KB: 1 / 1024, MB: 1, GB: 1024 }
  const mibPerSec = transfer === null ? 0 : Number(transfer[1]) * (scale[transfer[2]] ?? 1)
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) +
    Number(/Socket errors:.*?read (\d+)/.exec(out)?.[1] ?? 0)
  const p99 = /99%\s+(\S+)/.exec(out)?.[1] ?? '?'
  return { rps, mibPerSec, errors, p99 }
}

async function stop (child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  child.kill('SIGTERM')
  await exited
}

const work = await mkdtemp(join(tmpdir(), 'sonantica-bench-'))
// nginx workers drop to an unprivileged user when started as root: they must be able to read.
await chmod(work, 0o755)
const children: ChildProcess[] = []
try {
  const media = join(work, 'media')
  const dataDir = join(work, 'data')
  await mkdir(join(media, 'Bench'), { recursive: true })
  await mkdir(dataDir, { recursive: true })
  await writeFile(join(media, 'Bench', 'track.flac'), randomBytes(FILE_SIZE))

  // The service owns its PGlite once running, so the row goes in first.
  const db = new PGlite(join(dataDir, 'pglite'), pgliteOptions())
  await db.waitReady
  const pool = new pg.Pool({ ...createPgConfig(db), max: 1 } as pg.PoolConfig)
  await migrate(pool)
  const id = await seedTrack(pool, { filePath: 'Bench/track.flac', fileSize: FILE_SIZE })
  await pool.end()
  await db.close()
  // The offloading service gets its own copy: an embedded PGlite belongs to one process.
  await cp(join(dataDir, 'pglite'), join(work, 'data-offload', 'pglite'), { recursive: true })

  const lua = join(work, 'ranges.lua')
  await writeFile(lua, `math.randomseed(${Date.now() % 100000})
request = function()
  local start = math.random(0, ${FILE_SIZE - RANGE})
  return wrk.format("GET", nil, { ["Range"] = "bytes=" .. start .. "-" .. (start + ${RANGE - 1})${API_KEY === '' ? '' : `, ["Authorization"] = "Bearer ${API_KEY}"`} })
end
`)

  const startService = (port: number, data: string, env: Record<string, string>): ChildProcess => {
    const child = spawn(process.execPath, [...(process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean), '--import', 'tsx', 'server.ts'], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', MEDIA_PATH: media, DATA_DIR: data, LOG_LEVEL: 'warn', SCAN_ON_START: 'false', POSTGRES_URL: '', REDIS_HOST: '', API_KEY, MAX_CONNECTIONS_PER_IP: '0', ...env }
    })
    children.push(child)
    return child
  }
  const servicePort = await freePort()
  const service = startService(servicePort, dataDir, {})
  const offloadPort = await freePort()
  if (WANTED.has('x-accel') || WANTED.has('x-accel answer')) startService(offloadPort, join(work, 'data-offload'), { STREAM_OFFLOAD: 'x-accel' })

  const staticPort = await freePort()
  const staticServer = spawn(process.execPath, ['--import', 'tsx', 'bench/static-server.ts'], {
    cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PORT: String(staticPort), MEDIA_PATH: media }
  })
  children.push(staticServer)

  const nginxPort = await freePort()
  const frontPort = await freePort()
  const nginxDir = join(work, 'nginx')
  await mkdir(nginxDir)
  await writeFile(join(nginxDir, 'nginx.conf'), `daemon off;
worker_processes ${NGINX_WORKERS};
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  keepalive_requests 1000000;
  client_body_temp_path ${nginxDir}; proxy_temp_path ${nginxDir}; fastcgi_temp_path ${nginxDir};
  uwsgi_temp_path ${nginxDir}; scgi_temp_path ${nginxDir};
  server { listen 127.0.0.1:${nginxPort}; root ${media}; }
  # docs/nginx-offload.md's setup in front of the offloading service.
  upstream sonantica { server 127.0.0.1:${offloadPort}; keepalive 32; }
  server {
    listen 127.0.0.1:${frontPort};
    max_ranges 1;
    location / { proxy_pass http://sonantica; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host $host; proxy_buffering off; }
    location /protected-media/ { internal; alias ${media}/; disable_symlinks on; add_header Accept-Ranges bytes; add_header Cache-Control "private, no-cache"; }
  }
}
`)
  const nginx = spawn('/usr/sbin/nginx', ['-p', nginxDir, '-c', join(nginxDir, 'nginx.conf')], { stdio: ['ignore', 'inherit', 'inherit'] })
  children.push(nginx)

  const urls: Record<TargetName, string> = {
    service: `http://127.0.0.1:${servicePort}/api/stream/${id}`,
    '@fastify/static': `http://127.0.0.1:${staticPort}/Bench/track.flac`,
    nginx: `http://127.0.0.1:${nginxPort}/Bench/track.flac`,
    'x-accel': `http://127.0.0.1:${frontPort}/api/stream/${id}`,
    // The offloading service's own part, asked directly: its empty answer with the redirect.
    'x-accel answer': `http://127.0.0.1:${offloadPort}/api/stream/${id}`
  }
  const targets = Object.fromEntries(ALL_TARGETS.filter((name) => WANTED.has(name)).map((name) => [name, urls[name]]))
  const authorised = (name: string): boolean => name !== 'nginx' && name !== '@fastify/static'
  for (const [name, url] of Object.entries(targets)) await waitForHttp(url, authorised(name))

  const rss: number[] = [await rssKiB(service.pid ?? 0)]
  const sampler = setInterval(() => { void rssKiB(service.pid ?? 0).then((v) => rss.push(v)) }, 500)

  const run = (name: string, url: string, kind: 'ranges' | 'whole'): WrkResult =>
    KINDS.has(kind) ? wrk(url, kind === 'ranges' ? lua : null, authorised(name)) : EMPTY
  const runs: Record<string, Array<{ ranges: WrkResult, whole: WrkResult }>> = {}
  for (const [name, url] of Object.entries(targets)) run(name, url, 'ranges') // warm-up pass, discarded
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, url] of Object.entries(targets)) {
      (runs[name] ??= []).push({ ranges: run(name, url, 'ranges'), whole: run(name, url, 'whole') })
    }
  }
  const median = (list: WrkResult[], key: 'rps' | 'mibPerSec'): WrkResult =>
    [...list].sort((a, b) => a[key] - b[key])[Math.floor(list.length / 2)]
  const results: Record<string, { ranges: WrkResult, whole: WrkResult }> = {}
  for (const [name, list] of Object.entries(runs)) {
    results[name] = { ranges: median(list.map((r) => r.ranges), 'rps'), whole: median(list.map((r) => r.whole), 'mibPerSec') }
    results[name].ranges.errors = list.reduce((n, r) => n + r.ranges.errors, 0)
    results[name].whole.errors = list.reduce((n, r) => n + r.whole.errors, 0)
  }
  // A second service pass at the end shows whether memory keeps growing under the same load.
  const again = targets.service === undefined ? EMPTY : run('service', targets.service, 'ranges')
  clearInterval(sampler)
  rss.push(await rssKiB(service.pid ?? 0))

  console.log(`\nStreaming bench: median of ${ROUNDS} rounds, ${SECONDS}s per run, ${CONNECTIONS} connections, wrk -t1, 10 MiB file, nginx ${NGINX_WORKERS} worker(s)${API_KEY === '' ? '' : ', API key sent'}\n`)
  console.log('| target | 64 KiB ranges req/s | p99 | whole file MiB/s | whole req/s | errors |')
  console.log('| --- | --- | --- | --- | --- | --- |')
  for (const [name, r] of Object.entries(results)) {
    console.log(`| ${name} | ${r.ranges.rps.toFixed(0)} | ${r.ranges.p99} | ${r.whole.mibPerSec.toFixed(0)} | ${r.whole.rps.toFixed(1)} | ${r.ranges.errors + r.whole.errors} |`)
  }
  console.log('')
  const ratio = (a: string, b: string, kind: 'ranges' | 'whole', target: number): void => {
    if (results[a] === undefined || results[b] === undefined || !KINDS.has(kind)) return
    const key = kind === 'ranges' ? 'rps' : 'mibPerSec'
    const value = results[a][kind][key] / results[b][kind][key]
    console.log(`${a} / ${b} on ${kind === 'ranges' ? 'ranges' : 'whole files'}: ${value.toFixed(2)}x (target >= ${target}${value >= target ? ', met' : ', NOT met'})`)
  }
  ratio('service', '@fastify/static', 'ranges', 2)
  ratio('service', 'nginx', 'ranges', 0.3)
  ratio('service', 'nginx', 'whole', 0.45)
  ratio('x-accel', 'nginx', 'ranges', 0.9)
  ratio('x-accel', 'nginx', 'whole', 0.9)
  if (runs.service !== undefined) console.log(`service ranges per round: ${runs.service.map((r) => r.ranges.rps.toFixed(0)).join(', ')}, after: ${again.rps.toFixed(0)} req/s`)
  ratio('x-accel answer', 'nginx', 'ranges', 0.9)
  if (runs['x-accel'] !== undefined) console.log(`x-accel ranges per round: ${runs['x-accel'].map((r) => r.ranges.rps.toFixed(0)).join(', ')} req/s`)
  console.log(`service RSS MiB: start ${(rss[0] / 1024).toFixed(0)}, peak ${(Math.max(...rss) / 1024).toFixed(0)}, end ${(rss[rss.length - 1] / 1024).toFixed(0)}`)
} finally {
  for (const child of children) await stop(child)
  await rm(work, { recursive: true, force: true })
}
