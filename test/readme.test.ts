import t from 'tap'
import { readFile } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { CONFIG_VARIABLES } from '../lib/config.js'

const root = new URL('../', import.meta.url)

t.test('the README documents every configuration variable and its links resolve', async (t) => {
  const readme = await readFile(new URL('README.md', root), 'utf8')
  for (const name of CONFIG_VARIABLES) t.match(readme, new RegExp(`\\| \`${name}\``), `${name} is in the configuration table`)
  const pkg = JSON.parse(await readFile(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }
  t.ok(readme.includes('npm test') && pkg.scripts.test !== undefined, 'the test command is documented and defined')
  t.ok(readme.includes('npm start') && pkg.scripts.start !== undefined, 'the start command is documented and defined')
  for (const [, target] of readme.matchAll(/\]\(((?!https?:)[^)#]+)\)/g)) {
    t.ok(existsSync(new URL(target, root)), `link ${target} points at a file`)
  }
})
