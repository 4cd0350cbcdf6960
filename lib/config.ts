import { statSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import { resolve } from 'node:path'
import { MAX_BITRATE, MIN_BITRATE, TARGET_FORMATS, type TargetFormat } from './transcode/formats.js'
import { PASSWORD_MAX, PASSWORD_MIN } from './users/passwords.js'

const USERNAME = /^[\p{L}\p{M}\p{N}._@+-]{1,64}$/u

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
export type LogFormat = 'pretty' | 'json'
export type StreamOffload = 'none' | 'x-accel'
export type MediaAccess = 'key' | 'open'

export interface Config {
  port: number
  host: string
  mediaPath: string
  postgresUrl: string | null
  dataDir: string
  redisHost: string | null
  redisPort: number
  redisPrefix: string
  apiKey: string | null
  // The first admin, made at start-up while nobody has signed up (plugins/users.ts).
  adminUsername: string | null
  adminPassword: string | null
  logLevel: LogLevel
  // null: readable lines on a terminal, JSON lines anywhere else (lib/logging/destination.ts).
  logFormat: LogFormat | null
  // RUN_WORKER: this process runs scan and index jobs besides serving the API.
  runJobs: boolean
  scanIntervalSeconds: number
  scanOnStart: boolean
  scanBatchSize: number
  jobLockMs: number
  responseCacheMb: number
  streamOffload: StreamOffload
  streamOffloadPrefix: string
  // '*' or the exact origins (scheme://host[:port]) browsers may call from.
  corsOrigins: '*' | string[]
  mediaAccess: MediaAccess
  sseMaxClients: number
  coverCacheMb: number
  wholeListCacheMb: number
  requestTimeoutMs: number
  sendTimeoutMs: number
  maxConnectionsPerIp: number
  // Watch mode (lib/scan/watch-mode.ts): on at start-up, and its quiet period and longest wait.
  watch: boolean
  watchDebounceMs: number
  watchMaxWaitMs: number
  // Transcoding (lib/transcode): ffmpeg processes at once, how long a request waits for one,
  // the disk kept for finished transcodes, and what a request that names no format gets.
  ffmpegPath: string
  transcodeMax: number
  transcodeWaitMs: number
  transcodeCacheMb: number
  transcodeDefaultFormat: TargetFormat
  transcodeDefaultBitrate: number
  // /metrics answers without a key (a scraper on a private network).
  metricsPublic: boolean
  // worker.ts serves its /metrics on this port; null: not at all.
  workerMetricsPort: number | null
  // ANALYSIS=on: new and changed tracks are published for analysis workers (lib/analysis).
  analysis: boolean
  analysisMaxPending: number
}

export type Env = Record<string, string | undefined>

export class ConfigError extends Error {
  constructor (readonly variable: string, reason: string) {
    super(`Invalid configuration: ${variable} ${reason}`)
    this.name = 'ConfigError'
  }
}

// Every variable loadConfig reads; the compose file and README are checked against this list.
export const CONFIG_VARIABLES = [
  'PORT', 'HOST', 'MEDIA_PATH', 'POSTGRES_URL', 'DATA_DIR', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_PREFIX',
  'API_KEY', 'ADMIN_USERNAME', 'ADMIN_PASSWORD', 'LOG_LEVEL', 'LOG_FORMAT', 'RUN_WORKER', 'SCAN_INTERVAL', 'SCAN_ON_START', 'SCAN_BATCH_SIZE', 'JOB_LOCK_MS',
  'RESPONSE_CACHE_MB', 'STREAM_OFFLOAD', 'STREAM_OFFLOAD_PREFIX', 'CORS_ORIGINS', 'MEDIA_ACCESS',
  'SSE_MAX_CLIENTS', 'COVER_CACHE_MB', 'WHOLE_LIST_CACHE_MB',
  'REQUEST_TIMEOUT_MS', 'SEND_TIMEOUT_MS', 'MAX_CONNECTIONS_PER_IP',
  'WATCH', 'WATCH_DEBOUNCE_MS', 'WATCH_MAX_WAIT_MS',
  'FFMPEG_PATH', 'TRANSCODE_MAX', 'TRANSCODE_WAIT_MS', 'TRANSCODE_CACHE_MB', 'TRANSCODE_DEFAULT_FORMAT', 'TRANSCODE_DEFAULT_BITRATE',
  'METRICS_PUBLIC', 'WORKER_METRICS_PORT', 'ANALYSIS', 'ANALYSIS_MAX_PENDING'
] as const

const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']
const LOG_FORMATS: readonly LogFormat[] = ['pretty', 'json']
const OFFLOADS: readonly StreamOffload[] = ['none', 'x-accel']
const MEDIA_ACCESSES: readonly MediaAccess[] = ['key', 'open']

// Empty strings count as unset: compose files and shells routinely export `VAR=`.
function read (env: Env, name: string): string | undefined {
  const value = env[name]
  return value === undefined || value.trim() === '' ? undefined : value.trim()
}

function integer (env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`)
  const value = Number(raw)
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${raw}`)
  return value
}

function boolean (env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  const lowered = raw.toLowerCase()
  if (['true', '1', 'yes', 'on'].includes(lowered)) return true
  if (['false', '0', 'no', 'off'].includes(lowered)) return false
  throw new ConfigError(name, `must be true or false, got "${raw}"`)
}

function oneOf<T extends string> (env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = read(env, name)
  if (raw === undefined) return fallback
  const lowered = raw.toLowerCase() as T
  if (!allowed.includes(lowered)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}, got "${raw}"`)
  return lowered
}

// A missing media root is allowed (a NAS may mount later; scans then abort cleanly),
// but a path that exists and is not a directory is a typo worth stopping for.
function directory (env: Env, name: string, fallback: string, mustExist: boolean): string {
  const path = resolve(read(env, name) ?? fallback)
  let stats
  try {
    stats = statSync(path)
  } catch {
    if (mustExist) throw new ConfigError(name, `does not exist: ${path}`)
    return path
  }
  if (!stats.isDirectory()) throw new ConfigError(name, `is not a directory: ${path}`)
  return path
}

function postgresUrl (env: Env): string | null {
  const raw = read(env, 'POSTGRES_URL')
  if (raw === undefined) return null
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new ConfigError('POSTGRES_URL', 'is not a URL (expected postgres://user@host:5432/database)')
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError('POSTGRES_URL', `must use postgres:// or postgresql://, got ${url.protocol}//`)
  }
  return raw
}

function redisHost (env: Env): string | null {
  const raw = read(env, 'REDIS_HOST')
  if (raw === undefined) return null
  if (/[\s/]/.test(raw)) throw new ConfigError('REDIS_HOST', `must be a host name or address, got "${raw}"`)
  return raw
}

// A browser sends its Origin as scheme://host[:port], lower-case, with no path; an entry in any
// other form would never match, so it is refused rather than silently blocking the app.
// Custom schemes are allowed: app shells serve pages from origins such as capacitor://localhost.
function corsOrigins (env: Env): '*' | string[] {
  const raw = read(env, 'CORS_ORIGINS')
  if (raw === undefined || raw === '*') return '*'
  const origins: string[] = []
  for (const part of raw.split(',')) {
    const entry = part.trim().replace(/\/$/, '').toLowerCase()
    if (entry === '') continue
    if (entry === '*') throw new ConfigError('CORS_ORIGINS', 'is either * alone or a comma-separated list of origins, not both')
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^\s/?#@]+$/.test(entry)) {
      throw new ConfigError('CORS_ORIGINS', `entries must be origins like https://music.example.com or http://localhost:5173, got "${part.trim()}"`)
    }
    origins.push(entry)
  }
  if (origins.length === 0) throw new ConfigError('CORS_ORIGINS', `names no origin, got "${raw}"`)
  return origins
}

function watchTimings (env: Env): { watchDebounceMs: number, watchMaxWaitMs: number } {
  const watchDebounceMs = integer(env, 'WATCH_DEBOUNCE_MS', 2000, 50, 600_000)
  const watchMaxWaitMs = integer(env, 'WATCH_MAX_WAIT_MS', 30_000, 50, 3_600_000)
  if (watchMaxWaitMs < watchDebounceMs) {
    throw new ConfigError('WATCH_MAX_WAIT_MS', `must be at least WATCH_DEBOUNCE_MS (${watchDebounceMs}), got ${watchMaxWaitMs}`)
  }
  return { watchDebounceMs, watchMaxWaitMs }
}

// Both or neither; the same rules as POST /api/auth/setup, so a typo stops start-up instead of
// making an admin nobody can log in as.
function firstAdmin (env: Env): { adminUsername: string | null, adminPassword: string | null } {
  const username = read(env, 'ADMIN_USERNAME')
  // Spaces may belong to a password: only an empty value counts as unset.
  const password = env.ADMIN_PASSWORD === undefined || env.ADMIN_PASSWORD === '' ? undefined : env.ADMIN_PASSWORD
  if (username === undefined && password === undefined) return { adminUsername: null, adminPassword: null }
  if (username === undefined) throw new ConfigError('ADMIN_USERNAME', 'must be set when ADMIN_PASSWORD is')
  if (password === undefined) throw new ConfigError('ADMIN_PASSWORD', 'must be set when ADMIN_USERNAME is')
  if (!USERNAME.test(username)) throw new ConfigError('ADMIN_USERNAME', `may hold letters, digits and . _ @ + - only (at most 64), got "${username}"`)
  if (password.length < PASSWORD_MIN || password.length > PASSWORD_MAX) {
    throw new ConfigError('ADMIN_PASSWORD', `must be ${PASSWORD_MIN} to ${PASSWORD_MAX} characters long`)
  }
  return { adminUsername: username, adminPassword: password }
}

export function loadConfig (env: Env = process.env): Config {
  const prefix = read(env, 'REDIS_PREFIX') ?? 'sonantica'
  if (!/^[\w.:-]+$/.test(prefix)) throw new ConfigError('REDIS_PREFIX', `may hold letters, digits, _ . : - only, got "${prefix}"`)
  const offloadPrefix = read(env, 'STREAM_OFFLOAD_PREFIX') ?? '/protected-media/'
  if (!offloadPrefix.startsWith('/')) throw new ConfigError('STREAM_OFFLOAD_PREFIX', `must start with /, got "${offloadPrefix}"`)
  return {
    port: integer(env, 'PORT', 8080, 0, 65535),
    host: read(env, 'HOST') ?? '0.0.0.0',
    mediaPath: directory(env, 'MEDIA_PATH', './media', false),
    postgresUrl: postgresUrl(env),
    dataDir: directory(env, 'DATA_DIR', './data', false),
    redisHost: redisHost(env),
    redisPort: integer(env, 'REDIS_PORT', 6379, 1, 65535),
    redisPrefix: prefix,
    apiKey: read(env, 'API_KEY') ?? null,
    ...firstAdmin(env),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    logFormat: read(env, 'LOG_FORMAT') === undefined ? null : oneOf(env, 'LOG_FORMAT', LOG_FORMATS, 'json'),
    runJobs: boolean(env, 'RUN_WORKER', true),
    scanIntervalSeconds: integer(env, 'SCAN_INTERVAL', 0, 0, 31_536_000),
    scanOnStart: boolean(env, 'SCAN_ON_START', true),
    scanBatchSize: integer(env, 'SCAN_BATCH_SIZE', 250, 1, 10_000),
    jobLockMs: integer(env, 'JOB_LOCK_MS', 30_000, 1000, 3_600_000),
    responseCacheMb: integer(env, 'RESPONSE_CACHE_MB', 32, 0, 4096),
    streamOffload: oneOf(env, 'STREAM_OFFLOAD', OFFLOADS, 'none'),
    streamOffloadPrefix: offloadPrefix.endsWith('/') ? offloadPrefix : `${offloadPrefix}/`,
    corsOrigins: corsOrigins(env),
    mediaAccess: oneOf(env, 'MEDIA_ACCESS', MEDIA_ACCESSES, 'key'),
    sseMaxClients: integer(env, 'SSE_MAX_CLIENTS', 100, 1, 100_000),
    coverCacheMb: integer(env, 'COVER_CACHE_MB', 256, 1, 1_048_576),
    wholeListCacheMb: integer(env, 'WHOLE_LIST_CACHE_MB', 512, 0, 1_048_576),
    // nginx's client_header/body and send timeouts are 60 s each.
    requestTimeoutMs: integer(env, 'REQUEST_TIMEOUT_MS', 60_000, 100, 3_600_000),
    sendTimeoutMs: integer(env, 'SEND_TIMEOUT_MS', 60_000, 100, 3_600_000),
    maxConnectionsPerIp: integer(env, 'MAX_CONNECTIONS_PER_IP', 64, 0, 1_000_000),
    watch: boolean(env, 'WATCH', false),
    ...watchTimings(env),
    ffmpegPath: read(env, 'FFMPEG_PATH') ?? 'ffmpeg',
    // One encoder per core keeps each one faster than real time.
    transcodeMax: integer(env, 'TRANSCODE_MAX', availableParallelism(), 1, 1024),
    transcodeWaitMs: integer(env, 'TRANSCODE_WAIT_MS', 2000, 0, 60_000),
    transcodeCacheMb: integer(env, 'TRANSCODE_CACHE_MB', 1024, 0, 1_048_576),
    transcodeDefaultFormat: oneOf(env, 'TRANSCODE_DEFAULT_FORMAT', TARGET_FORMATS, 'opus'),
    transcodeDefaultBitrate: integer(env, 'TRANSCODE_DEFAULT_BITRATE', 128, MIN_BITRATE, MAX_BITRATE),
    metricsPublic: boolean(env, 'METRICS_PUBLIC', false),
    workerMetricsPort: read(env, 'WORKER_METRICS_PORT') === undefined ? null : integer(env, 'WORKER_METRICS_PORT', 0, 0, 65535),
    // Off unless asked: most installations run no analysis worker, and jobs nobody takes only
    // fill Redis.
    analysis: boolean(env, 'ANALYSIS', false),
    analysisMaxPending: integer(env, 'ANALYSIS_MAX_PENDING', 100_000, 0, 10_000_000)
  }
}
