import type { ChildProcess } from 'node:child_process'

// Polls the service's health URL every 100 ms until it answers 200 or the process exits.
// `seconds`: how long a start may take (a first PGlite start with a large library is slow).
export async function waitForHealth (url: string, child: ChildProcess, seconds: number): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`)
    try {
      if ((await fetch(url)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('service did not become healthy')
}

// The environment a bench starts the service with: data and media in one folder, quiet logs, no
// scan or jobs of its own, so only the bench's load runs.
export function serviceEnv (dataDir: string, port: number): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATA_DIR: dataDir,
    MEDIA_PATH: dataDir,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    SCAN_ON_START: 'false',
    RUN_WORKER: 'false'
  }
}
