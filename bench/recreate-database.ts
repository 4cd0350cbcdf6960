// Benchmarks start from an empty database of their own, named in the URL they are given.
import pg from 'pg'

export async function recreateDatabase (url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  if (!/^\w+$/.test(name)) throw new Error(`unexpected database name "${name}"`)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await client.query(`CREATE DATABASE ${name}`)
  } finally {
    await client.end()
  }
}
