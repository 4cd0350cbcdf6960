// pino options shared by the API process, the worker and the tests: what a line may hold
// (secrets redacted) and where it goes (lib/logging/destination.ts).
import { stdSerializers } from 'pino'
import type { Config, LogLevel } from '../config.js'
import { REDACTED, requestSerializer, serializeError } from '../log-redact.js'
import { logDestination } from './destination.js'

// Request lines carry the URL with its query, where <audio src> URLs hold ?api_key=.
export function loggerOptions (level: LogLevel, secrets: readonly string[] = []) {
  return {
    level,
    serializers: { req: requestSerializer(secrets), err: serializeError(stdSerializers.err) },
    // For any line that logs headers directly.
    redact: { paths: ['req.headers.authorization', 'headers.authorization'], censor: REDACTED }
  }
}

// A process's logger: the configured level and format, with the configured key masked.
export function processLoggerOptions (config: Pick<Config, 'logLevel' | 'logFormat' | 'apiKey'>) {
  return { ...loggerOptions(config.logLevel, config.apiKey === null ? [] : [config.apiKey]), stream: logDestination(config.logFormat) }
}
