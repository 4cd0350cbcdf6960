import { fileURLToPath } from 'node:url'
import Postgrator from 'postgrator'
import type { Pool } from 'pg'

export const MIGRATIONS_DIR = fileURLToPath(new URL('../sql/', import.meta.url))
// Any constant works; it only has to be the same in every process that migrates this database.
const MIGRATION_LOCK = 7_310_482_911

export interface MigrationResult {
  from: number
  to: number
  applied: string[]
}

// Two processes starting together (API + worker in compose) must not both apply 001: the
// session-level advisory lock serialises them, and the second finds nothing left to do.
export async function migrate (pool: Pool, migrationsDir = MIGRATIONS_DIR): Promise<MigrationResult> {
  const client = await pool.connect()
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK])
    try {
      const postgrator = new Postgrator({
        migrationPattern: `${migrationsDir.replace(/\\/g, '/')}/*.sql`,
        driver: 'pg',
        schemaTable: 'schema_migrations',
        execQuery: async (query: string) => {
          const result = await client.query(query)
          // Multi-statement files come back as an array of results; postgrator wants one.
          return Array.isArray(result) ? result[result.length - 1] : result
        }
      })
      const from = Number(await postgrator.getDatabaseVersion())
      const applied = await postgrator.migrate()
      const to = Number(await postgrator.getDatabaseVersion())
      return { from, to, applied: applied.map((m) => m.filename) }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK])
    }
  } finally {
    client.release()
  }
}
