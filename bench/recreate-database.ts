// Benchmarks start from an empty database of their own, named in the URL they are given.
import pg from 'pg'

async function onServer (url: string, statements: (name: string) => string[]): Promise<void> {
  const name = new URL(url).pathname.slice(1)
  if (!/^\w+$/.test(name)) throw new Error(`unexpected database name "${name}"`)
  const admin = new URL(url)
  admin.pathname = '/postgres'
  const client = new pg.Client({ connectionString: admin.toString() })
  await client.connect()
  try {
    for (const statement of statements(name)) await client.query(statement)
  } finally {
    await client.end()
  }
}

export async function recreateDatabase (url: string): Promise<void> {
  await onServer(url, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name}`])
}

export async function dropDatabase (url: string): Promise<void> {
  await onServer(url, (name) => [`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`])
}
