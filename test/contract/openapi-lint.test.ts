import t from 'tap'
import { execFile } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { build, tempDir } from '../helper.js'

const run = promisify(execFile)
const root = fileURLToPath(new URL('../../', import.meta.url))

interface SpectralResult { code: string, message: string, severity: number, path: string[] }

t.test('the OpenAPI document passes spectral:oas with no errors', async (t) => {
  const app = await build(t)
  const doc = (await app.inject('/docs/json')).body
  const dir = await tempDir(t)
  const file = join(dir, 'openapi.json')
  await writeFile(file, doc)
  const spectral = join(root, 'node_modules', '.bin', 'spectral')
  const { stdout } = await run(spectral, ['lint', file, '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--fail-severity', 'error', '--quiet'], { cwd: root })
    .catch((err: { stdout?: string }) => ({ stdout: err.stdout ?? '[]' }))
  const results = JSON.parse(stdout.trim() === '' ? '[]' : stdout) as SpectralResult[]
  const errors = results.filter((r) => r.severity === 0)
  t.same(errors.map((e) => `${e.code}: ${e.message} at ${e.path.join('.')}`), [], 'no spectral errors')
  const warnings = results.filter((r) => r.severity === 1)
  if (warnings.length > 0) t.comment(`spectral warnings: ${warnings.map((w) => `${w.code} ${w.path.join('.')}`).join('; ')}`)
})
