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

export interface Lifecycle {
  // Aborted when a signal arrives before start-up has finished: each start-up step checks it
  // before it begins (opening a database can take seconds; migrating, listening and scanning
  // after a stop was asked for would be work thrown away, or worse, a half-started service).
  startup: AbortSignal
  // Start-up finished: from now on a signal closes the running service.
  started: () => void
  // Start-up failed or was interrupted: exits 0 when a signal asked for it (after closing what
  // had started), otherwise logs the failure and exits 1.
  startupFailed: (err: unknown, log: { fatal: (obj: object, msg: string) => void }) => Promise<never>
}

export class StartupInterrupted extends Error {
  constructor (readonly signal: string) {
    super(`start-up interrupted by ${signal}`)
    this.name = 'StartupInterrupted'
  }
}

export function exitGracefullyOnSignals (app: Closable, opts: { graceMs: number, message: string }): Lifecycle {
  let closing = false
  let starting = true
  const startup = new AbortController()

  const closeAndExit = async (): Promise<never> => {
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

  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return
    closing = true
    if (starting) {
      app.log.info({ signal }, `${opts.message} (start-up stops before its next step)`)
      startup.abort(new StartupInterrupted(signal))
      return
    }
    app.log.info({ signal }, opts.message)
    await closeAndExit()
  }
  process.once('SIGTERM', () => { void shutdown('SIGTERM') })
  process.once('SIGINT', () => { void shutdown('SIGINT') })
  process.on('unhandledRejection', (err) => {
    app.log.error({ err }, 'unhandled rejection')
  })

  return {
    startup: startup.signal,
    started: () => {
      starting = false
      // A signal that came during the last step.
      if (startup.signal.aborted) void closeAndExit()
    },
    startupFailed: async (err, log) => {
      starting = false
      if (startup.signal.aborted) return closeAndExit()
      log.fatal({ err }, 'start-up failed')
      process.exit(1)
    }
  }
}
