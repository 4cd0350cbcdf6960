// The embedded database: its settings, and a first start whose initdb runs in a child process.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PGlite, type PGliteOptions } from '@electric-sql/pglite'
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm'
import { nodeArgsFor, siblingEntry } from './source-entry.js'

// PostgreSQL's default shared_buffers all end up resident in PGlite's WASM heap once a library
// is scanned, and a WASM heap never shrinks. Its data files are ordinary files, so pages that do
// not fit are one read from the OS page cache away: a small pool costs list and search nothing
// and keeps the process smaller (figures in bench/README.md, Scanning).
const SETTINGS = ['shared_buffers=16MB']

export function pgliteOptions (): PGliteOptions {
  return {
    extensions: { pg_trgm },
    startParams: [...PGlite.defaultStartParams, ...SETTINGS.flatMap((s) => ['-c', s])]
  }
}

const INITDB_ENTRY = siblingEntry(import.meta.url, 'pglite-initdb')
const INITDB_TIMEOUT_MS = 5 * 60_000

export interface OpenOptions {
  onWarning?: (err: unknown, message: string) => void
}

// A new directory is created by a short-lived child process. PGlite's initdb runs a second
// database instance and copies whole WASM heaps: run here, that memory would stay resident for
// the life of the server (figures in bench/README.md, Scanning).
export async function openPglite (dir: string, opts: OpenOptions = {}): Promise<PGlite> {
  await mkdir(dirname(dir), { recursive: true })
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    try {
      await initdbInChild(dir)
    } catch (err) {
      // PGlite runs initdb itself on an empty directory: slower to give back memory, but it works.
      opts.onWarning?.(err, 'could not create the embedded database in a child process; creating it here')
    }
  }
  await mkdir(dir, { recursive: true })
  const db = new PGlite(dir, pgliteOptions())
  await db.waitReady
  return db
}

async function initdbInChild (dir: string): Promise<void> {
  // Built aside and renamed into place, so an interrupted first start never leaves a directory
  // that looks like a database but is not one.
  const building = `${dir}.initdb-${process.pid}`
  await rm(building, { recursive: true, force: true })
  try {
    await runChild(building)
    if (existsSync(dir) && (await readdir(dir)).length === 0) await rm(dir, { recursive: true })
    await rename(building, dir)
  } finally {
    await rm(building, { recursive: true, force: true })
  }
}

async function runChild (dir: string): Promise<void> {
  const args = [...nodeArgsFor(INITDB_ENTRY), fileURLToPath(INITDB_ENTRY), dir]
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: process.env })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000) })
  const timer = setTimeout(() => child.kill('SIGKILL'), INITDB_TIMEOUT_MS)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject)
      child.once('exit', (exitCode) => resolve(exitCode))
    })
    if (code !== 0) throw new Error(`initdb child exited with ${code}: ${stderr.trim()}`)
  } finally {
    clearTimeout(timer)
  }
}
