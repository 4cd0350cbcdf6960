import type { Pool, PoolClient } from 'pg'

// Runs fn in one transaction on one pooled client: committed if it returns, rolled back if it throws.
export async function inTransaction<T> (pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {})
    throw err
  } finally {
    client.release()
  }
}
