// Where log lines go and in what form: JSON lines for machines (Docker, systemd, a log shipper),
// readable lines through pino-pretty for a person at a terminal. LOG_FORMAT overrides the guess.
import type { DestinationStream } from 'pino'
import type { LogFormat } from '../config.js'
import { prettyStream } from './pretty.js'

export function chooseLogFormat (setting: LogFormat | null, stdoutIsTerminal: boolean): LogFormat {
  return setting ?? (stdoutIsTerminal ? 'pretty' : 'json')
}

// undefined: pino's own synchronous stdout, which writes JSON.
export function logDestination (setting: LogFormat | null, stdoutIsTerminal = process.stdout.isTTY === true): DestinationStream | undefined {
  return chooseLogFormat(setting, stdoutIsTerminal) === 'pretty' ? prettyStream() : undefined
}
