import { readFileSync } from 'node:fs'

// Source runs from the project root, compiled code from dist/: look for package.json upward.
function readVersion (): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string, version?: string }
      if (pkg.name === 'sonantica-stream-core' && typeof pkg.version === 'string') return pkg.version
    } catch {}
  }
  return '0.0.0'
}

export const VERSION = readVersion()
export const SERVICE = 'sonantica-core'
