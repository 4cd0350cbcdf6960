// Shared by the process entries (server.ts, worker.ts): configuration that stops start-up with
// one line, and a graceful shutdown on SIGTERM/SIGINT that exits 0 once everything is closed.
import { ConfigError, loadConfig, type Config } from './config.js'

export function readConfigOrExit (env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
}

interface Closable {
  close: () => Promise<unknown>
  log: { info: (obj: object, msg: string) => void, error: (obj: object, msg: string) => void }
}

export function exitGracefullyOnSignals (app: Closable, opts: { graceMs: number, message: string }): void {
  let closing = false
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return
    closing = true
    app.log.info({ signal }, opts.message)
    // Work that outlives the grace period must not keep a stopped service from exiting.
    const force = setTimeout(() => {
      app.log.error({ graceMs: opts.graceMs }, 'did not finish in time; exiting')
      process.exit(1)
    }, opts.graceMs)
    force.unref()
    try {
      await app.close()
      process.exit(0)
    } catch (err) {
      app.log.error({ err }, 'error while shutting down')
      process.exit(1)
    }
  }
  process.once('SIGTERM', () => { void shutdown('SIGTERM') })
  process.once('SIGINT', () => { void shutdown('SIGINT') })
  process.on('unhandledRejection', (err) => {
    app.log.error({ err }, 'unhandled rejection')
  })
}
