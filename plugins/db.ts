import fp from 'fastify-plugin'
import fastifyPostgres from '@fastify/postgres'
import type { PGlite } from '@electric-sql/pglite'
import type { PoolConfig } from 'pg'
import { migrate } from '../lib/migrate.js'
import { withTimeout } from '../lib/dependency-errors.js'
import { SEARCH_SESSION_SETTINGS } from '../lib/library/search-repository.js'

declare module 'fastify' {
  interface FastifyInstance {
    db: {
      ping: (timeoutMs?: number) => Promise<void>
    }
  }
}

export default fp(async (fastify) => {
  const { postgresUrl, dataDir } = fastify.config
  let options: PoolConfig
  let pglite: PGlite | null = null

  if (postgresUrl !== null) {
    options = {
      connectionString: postgresUrl,
      max: 10,
      // Also bounds the wait for a free pooled client, so it must be long enough for a burst of
      // requests to queue rather than fail, and for running scans to get their turn (bench/README.md,
      // Soak). A stopped server still fails at once (connection refused), so requests get their
      // 503 without hanging.
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      statement_timeout: 30_000,
      // Session settings travel in the startup packet: no extra round trip per connection.
      options: Object.entries(SEARCH_SESSION_SETTINGS).map(([name, value]) => `-c ${name}=${value}`).join(' ')
    }
  } else {
    // Loaded only when used, so a PostgreSQL installation does not carry it in memory.
    const [{ openPglite }, { createPgConfig }] = await Promise.all([
      import('../lib/pglite.js'), import('@electric-sql/pglite/node-postgres')
    ])
    pglite = await openPglite(`${dataDir}/pglite`, {
      onWarning: (err, message) => fastify.log.warn({ err }, message)
    })
    // One session for the life of the process, so a session setting holds for every query.
    for (const [name, value] of Object.entries(SEARCH_SESSION_SETTINGS)) await pglite.query('SELECT set_config($1, $2, false)', [name, value])
    // PGlite is single-connection: one pooled client, shared in turn.
    options = { ...createPgConfig(pglite), max: 1 } as PoolConfig
  }

  // Asked to stop while the database was being opened (PGlite's first start takes seconds): no
  // migrations, nothing more. No onClose hook holds the embedded database yet, so it closes here.
  if (fastify.startup.aborted) {
    await pglite?.close()
    throw fastify.startup.reason
  }

  await fastify.register(fastifyPostgres, options)
  // An idle client losing its server emits 'error' on the pool; unhandled, that kills the process.
  fastify.pg.pool.on('error', (err) => fastify.log.warn({ err }, 'database connection lost'))
  // A checked-out client has no pool listener: a server that goes away between two queries of a
  // transaction makes it emit 'error' with nobody listening, which would also kill the process.
  // Its next query fails, and the pool discards it on release.
  fastify.pg.pool.on('connect', (client) => {
    client.on('error', (err) => fastify.log.warn({ err }, 'database connection lost while in use'))
  })

  const result = await migrate(fastify.pg.pool)
  if (result.applied.length > 0) {
    fastify.log.info({ applied: result.applied, version: result.to }, 'database migrated')
  }

  fastify.decorate('db', {
    ping: async (timeoutMs = 2000) => {
      await withTimeout(fastify.pg.query('SELECT 1'), timeoutMs, 'database')
    }
  })

  if (pglite !== null) {
    const embedded = pglite
    // Registered after @fastify/postgres, so its pool has ended by the time this runs.
    fastify.addHook('onClose', async () => {
      await embedded.close()
    })
  }
}, { name: 'db', dependencies: ['config'], fastify: '5.x' })
