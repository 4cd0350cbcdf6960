// The one line a person reads after start-up to know what they are running: version, database,
// jobs, media and its size, where the docs are, whether a key is needed. Never a password.
import type { Config } from '../config.js'
import { VERSION } from '../version.js'

type SummaryConfig = Pick<Config, 'postgresUrl' | 'dataDir' | 'redisHost' | 'redisPort' | 'runJobs' | 'mediaPath' | 'apiKey' | 'analysis' | 'analysisMaxPending'>

export interface SummaryFacts {
  config: SummaryConfig
  // Where the server listens, e.g. http://0.0.0.0:8080.
  address: string
  // null: the database could not say (the line is still written).
  tracks: number | null
  usersExist: boolean | null
}

export type Auth = 'api-key' | 'user-keys' | 'open' | 'unknown'

// A PostgreSQL URL as user@host:port/database: no password, and no query, which may hold one
// (?password=, sslpassword=) — except the host of a Unix socket, which is where it lives.
export function databaseLocation (config: Pick<Config, 'postgresUrl' | 'dataDir'>): { kind: 'postgres' | 'embedded', location: string } {
  if (config.postgresUrl === null) return { kind: 'embedded', location: `${config.dataDir}/pglite` }
  const url = new URL(config.postgresUrl)
  const user = url.username === '' ? '' : `${decodeURIComponent(url.username)}@`
  const socket = url.searchParams.get('host')
  const host = url.host === '' && socket !== null ? socket : url.host
  return { kind: 'postgres', location: `${url.protocol}//${user}${host}${url.pathname}` }
}

// A wildcard bind address is not one a browser can open.
export function browsableAddress (address: string): string {
  const url = new URL(address)
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = 'localhost'
  return url.origin
}

function authOf (facts: SummaryFacts): Auth {
  if (facts.config.apiKey !== null) return 'api-key'
  if (facts.usersExist === null) return 'unknown'
  return facts.usersExist ? 'user-keys' : 'open'
}

const AUTH_TEXT: Record<Auth, string> = {
  'api-key': 'on (API_KEY and user keys)',
  'user-keys': 'on (user keys)',
  open: 'off: open to anyone who can reach it until the first admin signs up',
  unknown: 'unknown (the database did not answer)'
}

export function startupSummary (facts: SummaryFacts): { summary: Record<string, unknown>, msg: string } {
  const { config } = facts
  const url = browsableAddress(facts.address)
  const database = databaseLocation(config)
  const jobs = config.redisHost === null
    ? 'in-process'
    : `redis ${config.redisHost}:${config.redisPort}${config.runJobs ? '' : ' (run by workers)'}`
  const auth = authOf(facts)
  const analysis = config.analysis ? `on (at most ${config.analysisMaxPending} pending)` : 'off'
  const summary = {
    version: VERSION,
    url,
    database: database.kind,
    databaseLocation: database.location,
    jobs,
    analysis,
    mediaPath: config.mediaPath,
    tracks: facts.tracks,
    docs: `${url}/docs`,
    auth
  }
  const tracks = facts.tracks === null ? 'track count unknown' : `${facts.tracks} ${facts.tracks === 1 ? 'track' : 'tracks'} indexed`
  const msg = `Sonántica stream core ${VERSION} ready at ${url}; database: ${database.kind} ${database.location}; ` +
    `jobs: ${jobs}; analysis: ${analysis}; media: ${config.mediaPath} (${tracks}); docs: ${summary.docs}; auth: ${AUTH_TEXT[auth]}`
  return { summary, msg }
}
