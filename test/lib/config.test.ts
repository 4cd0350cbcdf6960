import t from 'tap'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ConfigError, loadConfig } from '../../lib/config.js'
import { tempDir } from '../helper.js'

t.test('defaults follow the design document', async (t) => {
  const config = loadConfig({})
  t.equal(config.port, 8080)
  t.equal(config.host, '0.0.0.0')
  t.equal(config.postgresUrl, null, 'no POSTGRES_URL means embedded PGlite')
  t.equal(config.redisHost, null, 'no REDIS_HOST means in-process jobs')
  t.equal(config.apiKey, null)
  t.equal(config.runJobs, true)
  t.equal(config.logLevel, 'info')
  t.equal(config.logFormat, null, 'no LOG_FORMAT: chosen by whether stdout is a terminal')
  t.match(config.mediaPath, /media$/)
  t.match(config.dataDir, /data$/)
  t.equal(config.corsOrigins, '*', 'any origin: no cookies are used, so * is safe')
  t.equal(config.mediaAccess, 'key', 'with API_KEY set, media needs the key too unless opened')
  t.match(config, { sseMaxClients: 100, coverCacheMb: 256, wholeListCacheMb: 512, requestTimeoutMs: 60_000, sendTimeoutMs: 60_000, maxConnectionsPerIp: 64 })
})

t.test('every variable is read and typed', async (t) => {
  const media = await tempDir(t)
  const config = loadConfig({
    PORT: '9000',
    HOST: '127.0.0.1',
    MEDIA_PATH: media,
    POSTGRES_URL: 'postgres://u@db:5432/music',
    DATA_DIR: media,
    REDIS_HOST: 'redis',
    REDIS_PORT: '6380',
    API_KEY: 'secret',
    LOG_LEVEL: 'WARN',
    RUN_WORKER: 'false',
    SCAN_INTERVAL: '3600',
    STREAM_OFFLOAD: 'x-accel',
    STREAM_OFFLOAD_PREFIX: '/internal',
    CORS_ORIGINS: 'https://Music.Example.com, http://localhost:5173/ ,capacitor://localhost',
    MEDIA_ACCESS: 'Open',
    SSE_MAX_CLIENTS: '5',
    COVER_CACHE_MB: '10',
    WHOLE_LIST_CACHE_MB: '0',
    REQUEST_TIMEOUT_MS: '1500',
    SEND_TIMEOUT_MS: '2500',
    MAX_CONNECTIONS_PER_IP: '0'
  })
  t.match(config, {
    port: 9000,
    host: '127.0.0.1',
    mediaPath: media,
    postgresUrl: 'postgres://u@db:5432/music',
    redisHost: 'redis',
    redisPort: 6380,
    apiKey: 'secret',
    logLevel: 'warn',
    runJobs: false,
    scanIntervalSeconds: 3600,
    streamOffload: 'x-accel',
    streamOffloadPrefix: '/internal/',
    corsOrigins: ['https://music.example.com', 'http://localhost:5173', 'capacitor://localhost'],
    mediaAccess: 'open',
    sseMaxClients: 5,
    coverCacheMb: 10,
    wholeListCacheMb: 0,
    requestTimeoutMs: 1500,
    sendTimeoutMs: 2500,
    maxConnectionsPerIp: 0
  })
})

t.test('empty values count as unset', async (t) => {
  const config = loadConfig({ POSTGRES_URL: '', REDIS_HOST: '  ', API_KEY: '' })
  t.equal(config.postgresUrl, null)
  t.equal(config.redisHost, null)
  t.equal(config.apiKey, null)
})

t.test('a bad value stops start-up with a message naming the variable', async (t) => {
  const dir = await tempDir(t)
  const file = join(dir, 'not-a-dir')
  await writeFile(file, 'x')
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ PORT: 'abc' }, 'PORT', /PORT must be a whole number/],
    [{ PORT: '70000' }, 'PORT', /PORT must be between/],
    [{ REDIS_PORT: '-1' }, 'REDIS_PORT', /REDIS_PORT/],
    [{ MEDIA_PATH: file }, 'MEDIA_PATH', /MEDIA_PATH is not a directory/],
    [{ DATA_DIR: file }, 'DATA_DIR', /DATA_DIR is not a directory/],
    [{ POSTGRES_URL: 'not a url' }, 'POSTGRES_URL', /POSTGRES_URL is not a URL/],
    [{ POSTGRES_URL: 'mysql://x@y/z' }, 'POSTGRES_URL', /postgres:\/\//],
    [{ REDIS_HOST: 'redis://host' }, 'REDIS_HOST', /REDIS_HOST/],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', /LOG_LEVEL must be one of/],
    [{ LOG_FORMAT: 'text' }, 'LOG_FORMAT', /LOG_FORMAT must be one of pretty, json/],
    [{ RUN_WORKER: 'maybe' }, 'RUN_WORKER', /RUN_WORKER must be true or false/],
    [{ SCAN_INTERVAL: '1h' }, 'SCAN_INTERVAL', /SCAN_INTERVAL/],
    [{ STREAM_OFFLOAD: 'sendfile' }, 'STREAM_OFFLOAD', /STREAM_OFFLOAD must be one of/],
    [{ REDIS_PREFIX: 'a b' }, 'REDIS_PREFIX', /REDIS_PREFIX/],
    [{ CORS_ORIGINS: 'music.example.com' }, 'CORS_ORIGINS', /must be origins like/],
    [{ CORS_ORIGINS: 'https://music.example.com/app' }, 'CORS_ORIGINS', /must be origins like/],
    [{ CORS_ORIGINS: 'https://a.example, *' }, 'CORS_ORIGINS', /either \* alone/],
    [{ CORS_ORIGINS: ' , ' }, 'CORS_ORIGINS', /names no origin/],
    [{ MEDIA_ACCESS: 'public' }, 'MEDIA_ACCESS', /MEDIA_ACCESS must be one of key, open/],
    [{ SSE_MAX_CLIENTS: '0' }, 'SSE_MAX_CLIENTS', /SSE_MAX_CLIENTS must be between 1/],
    [{ COVER_CACHE_MB: '0' }, 'COVER_CACHE_MB', /COVER_CACHE_MB must be between 1/],
    [{ WHOLE_LIST_CACHE_MB: '2000000' }, 'WHOLE_LIST_CACHE_MB', /WHOLE_LIST_CACHE_MB must be between 0/],
    [{ SEND_TIMEOUT_MS: '60s' }, 'SEND_TIMEOUT_MS', /SEND_TIMEOUT_MS must be a whole number/],
    [{ REQUEST_TIMEOUT_MS: '5' }, 'REQUEST_TIMEOUT_MS', /REQUEST_TIMEOUT_MS must be between 100/],
    [{ MAX_CONNECTIONS_PER_IP: '-1' }, 'MAX_CONNECTIONS_PER_IP', /MAX_CONNECTIONS_PER_IP/]
  ]
  for (const [env, variable, message] of cases) {
    let caught: unknown
    try {
      loadConfig(env)
    } catch (err) {
      caught = err
    }
    t.ok(caught instanceof ConfigError, `${JSON.stringify(env)} is refused`)
    t.equal((caught as ConfigError).variable, variable, `${JSON.stringify(env)} names ${variable}`)
    t.match((caught as ConfigError).message, message)
  }
})

t.test('LOG_FORMAT forces pretty or JSON lines, in any case', async (t) => {
  t.equal(loadConfig({ LOG_FORMAT: 'Pretty' }).logFormat, 'pretty')
  t.equal(loadConfig({ LOG_FORMAT: 'JSON' }).logFormat, 'json')
  t.equal(loadConfig({ LOG_FORMAT: ' ' }).logFormat, null, 'blank counts as unset')
})

t.test('a media root that does not exist yet is accepted (a disk may mount later)', async (t) => {
  const dir = await tempDir(t)
  t.equal(loadConfig({ MEDIA_PATH: join(dir, 'later') }).mediaPath, join(dir, 'later'))
})

t.test('watch mode: WATCH, its quiet period and its longest wait', async (t) => {
  t.match(loadConfig({}), { watch: false, watchDebounceMs: 2000, watchMaxWaitMs: 30_000 })
  t.match(loadConfig({ WATCH: 'true', WATCH_DEBOUNCE_MS: '500', WATCH_MAX_WAIT_MS: '500' }), { watch: true, watchDebounceMs: 500, watchMaxWaitMs: 500 })
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ WATCH: 'sometimes' }, 'WATCH', /WATCH must be true or false/],
    [{ WATCH_DEBOUNCE_MS: '2s' }, 'WATCH_DEBOUNCE_MS', /WATCH_DEBOUNCE_MS must be a whole number/],
    [{ WATCH_DEBOUNCE_MS: '10' }, 'WATCH_DEBOUNCE_MS', /WATCH_DEBOUNCE_MS must be between 50/],
    [{ WATCH_MAX_WAIT_MS: '1000' }, 'WATCH_MAX_WAIT_MS', /WATCH_MAX_WAIT_MS must be at least WATCH_DEBOUNCE_MS \(2000\)/]
  ]
  for (const [env, variable, message] of cases) {
    t.throws(() => loadConfig(env), { variable, message }, JSON.stringify(env))
  }
})

t.test('ADMIN_USERNAME and ADMIN_PASSWORD come together and follow the setup rules', async (t) => {
  const base = { MEDIA_PATH: '.', DATA_DIR: '.' }
  t.same(pick(loadConfig({ ...base, ADMIN_USERNAME: 'ana', ADMIN_PASSWORD: ' spaced password ' })), { adminUsername: 'ana', adminPassword: ' spaced password ' }, 'spaces belong to a password')
  t.same(pick(loadConfig({ ...base, ADMIN_USERNAME: '', ADMIN_PASSWORD: '' })), { adminUsername: null, adminPassword: null }, 'empty means unset')
  t.throws(() => loadConfig({ ...base, ADMIN_USERNAME: 'ana' }), /ADMIN_PASSWORD must be set when ADMIN_USERNAME is/)
  t.throws(() => loadConfig({ ...base, ADMIN_PASSWORD: 'long enough' }), /ADMIN_USERNAME must be set when ADMIN_PASSWORD is/)
  t.throws(() => loadConfig({ ...base, ADMIN_USERNAME: 'a b', ADMIN_PASSWORD: 'long enough' }), /ADMIN_USERNAME may hold/)
  t.throws(() => loadConfig({ ...base, ADMIN_USERNAME: 'ana', ADMIN_PASSWORD: 'short' }), /ADMIN_PASSWORD must be 8 to 256/)
})

function pick (config: { adminUsername: string | null, adminPassword: string | null }): object {
  return { adminUsername: config.adminUsername, adminPassword: config.adminPassword }
}
