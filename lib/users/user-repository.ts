// SQL for users (sql/010). Rows become the API's User only here; password hashes never leave
// this file except to the login check.
import type { PoolClient } from 'pg'
import type { UserT } from '../../schemas/users.js'
import type { Queryable } from '../db/queryable.js'
import { iso } from '../iso-time.js'
import { OWNER_ID, type UserRole } from './caller.js'

interface UserRow {
  id: string
  username: string
  display_name: string | null
  role: UserRole
  created_at: Date | string
  last_seen_at: Date | string | null
  max_bitrate: number | null
}

export interface Credentials {
  id: string
  role: UserRole
  passwordHash: string
}

const USER_COLUMNS = 'id, username, display_name, role, created_at, last_seen_at, max_bitrate'
// The unclaimed owner is nobody yet: never listed, never found by name.
const CLAIMED = 'username IS NOT NULL'
const UNIQUE_VIOLATION = '23505'

// "José" typed on one keyboard and "José" on another may differ in code points (composed or
// not); as names they are one, and lower() below makes case not matter either.
const nameKey = (username: string): string => username.normalize('NFC')

function toUser (row: UserRow): UserT {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name ?? row.username,
    role: row.role,
    createdAt: iso(row.created_at),
    lastSeenAt: row.last_seen_at === null ? null : iso(row.last_seen_at),
    maxBitrate: row.max_bitrate
  }
}

export async function anyUser (db: Queryable): Promise<boolean> {
  const { rows } = await db.query(`SELECT 1 FROM users WHERE ${CLAIMED} LIMIT 1`)
  return rows.length > 0
}

export interface NewUser {
  username: string
  displayName: string | null
  role: UserRole
  passwordHash: string
  maxBitrate?: number | null
}

// The first admin takes over the owner row and with it everything saved before users existed.
// null: someone already did.
export async function claimOwner (db: Queryable, user: Omit<NewUser, 'role'>): Promise<UserT | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET username = $2, display_name = $3, password_hash = $4, role = 'admin', created_at = now()
     WHERE id = $1 AND username IS NULL AND NOT EXISTS (SELECT 1 FROM users WHERE ${CLAIMED})
     RETURNING ${USER_COLUMNS}`, [OWNER_ID, nameKey(user.username), user.displayName, user.passwordHash])
  return rows.length === 0 ? null : toUser(rows[0])
}

// null: the username is taken (in any case).
export async function insertUser (db: Queryable, user: NewUser): Promise<UserT | null> {
  try {
    const { rows } = await db.query<UserRow>(
      `INSERT INTO users (username, display_name, role, password_hash, max_bitrate) VALUES ($1, $2, $3, $4, $5) RETURNING ${USER_COLUMNS}`,
      [nameKey(user.username), user.displayName, user.role, user.passwordHash, user.maxBitrate ?? null])
    return toUser(rows[0])
  } catch (err) {
    if ((err as { code?: string }).code === UNIQUE_VIOLATION) return null
    throw err
  }
}

export async function credentialsOf (db: Queryable, username: string): Promise<Credentials | null> {
  const { rows } = await db.query<{ id: string, role: UserRole, password_hash: string }>(
    `SELECT id, role, password_hash FROM users WHERE lower(username) = lower($1) AND ${CLAIMED}`, [nameKey(username)])
  return rows.length === 0 ? null : { id: rows[0].id, role: rows[0].role, passwordHash: rows[0].password_hash }
}

export async function passwordHashOf (db: Queryable, id: string): Promise<string | null> {
  const { rows } = await db.query<{ password_hash: string | null }>('SELECT password_hash FROM users WHERE id = $1', [id])
  return rows[0]?.password_hash ?? null
}

export async function findUser (db: Queryable, id: string): Promise<UserT | null> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE id = $1 AND ${CLAIMED}`, [id])
  return rows.length === 0 ? null : toUser(rows[0])
}

export async function listUsers (db: Queryable): Promise<UserT[]> {
  const { rows } = await db.query<UserRow>(`SELECT ${USER_COLUMNS} FROM users WHERE ${CLAIMED} ORDER BY lower(username), id`)
  return rows.map(toUser)
}

// The admin the shared API_KEY acts as: the owner row while it exists, else the oldest admin;
// with their stream cap (sql/015), which the shared key obeys as their own keys do.
export async function sharedKeyAdmin (db: Queryable): Promise<{ id: string, maxBitrate: number | null }> {
  const { rows } = await db.query<{ id: string, max_bitrate: number | null }>(
    'SELECT id, max_bitrate FROM users WHERE role = \'admin\' ORDER BY (id = $1) DESC, created_at, id LIMIT 1', [OWNER_ID])
  return rows.length === 0 ? { id: OWNER_ID, maxBitrate: null } : { id: rows[0].id, maxBitrate: rows[0].max_bitrate }
}

export async function keyAdminId (db: Queryable): Promise<string> {
  return (await sharedKeyAdmin(db)).id
}

// Changes that may take an admin away run one at a time (a transaction-scoped advisory lock), and
// each reads the admins only once it holds the lock: row locks alone would miss a user promoted
// by a change that committed while this one waited, and two admins deleting each other at once
// could leave nobody to run the server.
const ADMIN_CHANGES_LOCK = 0x736f6e61
export async function adminsWhileChanging (client: PoolClient): Promise<string[]> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [ADMIN_CHANGES_LOCK])
  const { rows } = await client.query<{ id: string }>(`SELECT id FROM users WHERE role = 'admin' AND ${CLAIMED}`)
  return rows.map((r) => r.id)
}

// The user a login with this name would find, if any.
export async function accountOf (db: Queryable, username: string): Promise<string | null> {
  const { rows } = await db.query<{ id: string }>(
    `SELECT id FROM users WHERE lower(username) = lower($1) AND ${CLAIMED}`, [nameKey(username)])
  return rows[0]?.id ?? null
}

export interface UserChange {
  role?: UserRole
  displayName?: string | null
  passwordHash?: string
  maxBitrate?: number | null
}

export async function updateUser (db: Queryable, id: string, change: UserChange): Promise<UserT | null> {
  const sets: string[] = []
  const values: unknown[] = [id]
  const set = (column: string, value: unknown): void => {
    values.push(value)
    sets.push(`${column} = $${values.length}`)
  }
  if (change.role !== undefined) set('role', change.role)
  if (change.displayName !== undefined) set('display_name', change.displayName)
  if (change.passwordHash !== undefined) set('password_hash', change.passwordHash)
  if (change.maxBitrate !== undefined) set('max_bitrate', change.maxBitrate)
  if (sets.length === 0) return await findUser(db, id)
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET ${sets.join(', ')} WHERE id = $1 AND ${CLAIMED} RETURNING ${USER_COLUMNS}`, values)
  return rows.length === 0 ? null : toUser(rows[0])
}

export async function deleteUser (db: Queryable, id: string): Promise<boolean> {
  const { rowCount } = await db.query(`DELETE FROM users WHERE id = $1 AND ${CLAIMED}`, [id])
  return rowCount === 1
}

// The user as now seen; null: deleted meanwhile.
export async function markSeen (db: Queryable, id: string): Promise<UserT | null> {
  const { rows } = await db.query<UserRow>(
    `UPDATE users SET last_seen_at = now() WHERE id = $1 AND ${CLAIMED} RETURNING ${USER_COLUMNS}`, [id])
  return rows.length === 0 ? null : toUser(rows[0])
}
