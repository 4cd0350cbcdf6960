// No Docker engine runs here, so the image and compose definitions are checked by reading them.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { parse } from 'yaml'
import { CONFIG_VARIABLES } from '../lib/config.js'

const root = new URL('../', import.meta.url)
const read = async (name: string): Promise<string> => await readFile(new URL(name, root), 'utf8')

interface Instruction { op: string, args: string }

function instructions (dockerfile: string): Instruction[] {
  return dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [op, ...rest] = line.split(/\s+/)
      return { op: op.toUpperCase(), args: rest.join(' ') }
    })
}

t.test('the Dockerfile builds a small, non-root image of the service', async (t) => {
  const pkg = JSON.parse(await read('package.json')) as { scripts: Record<string, string> }
  const steps = instructions(await read('Dockerfile'))
  const froms = steps.filter((s) => s.op === 'FROM')
  t.ok(froms.length >= 2, 'multi-stage')
  for (const from of froms) t.match(from.args, /^node:22-alpine\b/, 'every stage is node:22-alpine')

  const finalStage = steps.slice(steps.lastIndexOf(froms[froms.length - 1]))
  const cmd = finalStage.find((s) => s.op === 'CMD')
  t.ok(cmd, 'has a CMD')
  const command = (JSON.parse(cmd?.args ?? '[]') as string[]).join(' ')
  t.equal(command, pkg.scripts.start, 'CMD is what `npm start` runs after the build')
  t.equal(finalStage.find((s) => s.op === 'USER')?.args, 'node', 'runs as the non-root node user')
  t.equal(finalStage.find((s) => s.op === 'EXPOSE')?.args, '8080')
  t.match(finalStage.find((s) => s.op === 'HEALTHCHECK')?.args ?? '', /\/health\b/)
  t.notOk(finalStage.some((s) => s.op === 'RUN' && /npm (ci|install)(?!.*--omit=dev)/.test(s.args)), 'no dev dependencies in the final stage')
  t.ok(steps.some((s) => s.op === 'RUN' && /npm ci --omit=dev/.test(s.args)), 'production dependencies installed with --omit=dev')
  t.ok(steps.some((s) => s.op === 'RUN' && s.args === 'npm run build'), 'the build stage runs npm run build')
  // Transcoding spawns ffmpeg from the running image: it has to be in the stage that ships, from
  // Alpine's packages, without the package index left behind.
  const apk = finalStage.filter((s) => s.op === 'RUN' && /\bapk add\b/.test(s.args))
  t.ok(apk.some((s) => /\bapk add --no-cache\b[^&]*\sffmpeg(\s|$)/.test(s.args)), 'ffmpeg is installed in the final stage with apk add --no-cache')
  t.notOk(steps.slice(0, steps.indexOf(froms[froms.length - 1])).some((s) => /\bffmpeg\b/.test(s.args)), 'not in a build stage, whose files do not ship')
  t.ok(finalStage.findIndex((s) => apk.includes(s)) < finalStage.findIndex((s) => s.op === 'COPY'), 'installed before the app is copied, so the layer survives app changes')
  t.ok(finalStage.findIndex((s) => apk.includes(s)) < finalStage.findIndex((s) => s.op === 'USER'), 'installed as root, before USER node')

  for (const copy of steps.filter((s) => s.op === 'COPY' && !s.args.includes('--from'))) {
    const sources = copy.args.replace(/--\S+\s*/g, '').split(/\s+/).slice(0, -1)
    for (const source of sources) t.ok(existsSync(new URL(source, root)), `COPY source ${source} exists`)
  }
})

t.test('docker compose runs postgres, redis, the API and a worker, wired to each other', async (t) => {
  const pkg = JSON.parse(await read('package.json')) as { scripts: Record<string, string> }
  const compose = parse(await read('docker-compose.yml'), { merge: true }) as {
    services: Record<string, {
      command?: string[]
      environment?: Record<string, string>
      ports?: string[]
      volumes?: string[]
      depends_on?: Record<string, { condition: string }>
      healthcheck?: { test: string[] }
      build?: unknown
      image?: string
    }>
  }
  const services = compose.services
  t.same(Object.keys(services).sort(), ['postgres', 'redis', 'stream-core', 'stream-worker'])

  const core = services['stream-core']
  const worker = services['stream-worker']
  t.equal(core.command?.join(' '), pkg.scripts.start, 'the API runs the start command')
  t.equal(worker.command?.join(' '), pkg.scripts['start:worker'], 'the worker runs the worker entry')
  t.ok(existsSync(new URL('worker.ts', root)), 'the worker entry exists')
  t.equal(core.image, worker.image, 'API and worker share one image')

  for (const [name, service] of [['stream-core', core], ['stream-worker', worker]] as const) {
    const env = service.environment ?? {}
    for (const key of Object.keys(env)) {
      t.ok((CONFIG_VARIABLES as readonly string[]).includes(key), `${name}: ${key} is a variable the service reads`)
    }
    t.match(env.POSTGRES_URL, /@postgres:5432\//, `${name} talks to the postgres service`)
    t.equal(env.REDIS_HOST, 'redis', `${name} talks to the redis service`)
    t.equal(env.MEDIA_PATH, '/media')
    t.ok(service.volumes?.some((v) => /:\/media:ro$/.test(v)), `${name} mounts the media read-only`)
    t.equal(service.depends_on?.postgres?.condition, 'service_healthy')
    t.equal(service.depends_on?.redis?.condition, 'service_healthy')
  }
  t.equal(core.environment?.RUN_WORKER, 'false', 'jobs run in the worker, not the API')
  // The API process is the one that transcodes: every transcoding setting is offered there, each
  // defaulting to the service's own default (or empty: unset).
  const transcoding = CONFIG_VARIABLES.filter((name) => name === 'FFMPEG_PATH' || name.startsWith('TRANSCODE_'))
  t.equal(transcoding.length, 6, 'the six transcoding variables')
  for (const name of transcoding) {
    t.match(core.environment?.[name] ?? '', new RegExp(`^\\$\\{${name}:-[^}]*\\}$`), `stream-core passes ${name} through from the host`)
  }
  t.equal(core.environment?.TRANSCODE_MAX, '$' + '{TRANSCODE_MAX:-}', 'TRANSCODE_MAX unset by default: one ffmpeg per CPU')
  // Compose's own interpolation syntax, not a template string.
  t.same(core.ports, ['$' + '{CORE_PORT:-8090}:8080'], 'the API is published on host port 8090 (CORE_PORT), container port 8080')
  const readme = await read('README.md')
  t.match(readme, /CORE_PORT/, 'the README names CORE_PORT')
  t.match(readme, /localhost:8090/, 'the README gives the compose address')
  t.match(core.healthcheck?.test.join(' ') ?? '', /\/health/)
  t.ok(services.postgres.healthcheck, 'postgres has a healthcheck')
  t.ok(services.redis.healthcheck, 'redis has a healthcheck')
})
