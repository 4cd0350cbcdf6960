// SQL for API keys (sql/010). Only digests are stored; a key itself never reaches this file.
import type { ApiKeyT } from '../../schemas/users.js'
import type { Queryable } from '../db/queryable.js'
import { iso } from '../iso-time.js'
import type { KeyRole, UserRole } from './caller.js'

interface KeyRow {
  id: string
  name: string
  role: KeyRole
  created_at: Date | string
  last_used_at: Date | string | null
}

const KEY_COLUMNS = 'id, name, role, created_at, last_used_at'

function toApiKey (row: KeyRow, currentKeyId: string | null): ApiKeyT {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    createdAt: iso(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : iso(row.last_used_at),
    current: row.id === currentKeyId
  }
}

export async function insertKey (db: Queryable, userId: string, name: string, role: KeyRole, digest: Buffer): Promise<ApiKeyT> {
  const { rows } = await db.query<KeyRow>(
    `INSERT INTO api_keys (user_id, name, role, key_hash) VALUES ($1, $2, $3, $4) RETURNING ${KEY_COLUMNS}`,
    [userId, name, role, digest])
  return toApiKey(rows[0], null)
}

export async function listKeys (db: Queryable, userId: string, currentKeyId: string | null): Promise<ApiKeyT[]> {
  const { rows } = await db.query<KeyRow>(
    `SELECT ${KEY_COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY created_at, id`, [userId])
  return rows.map((r) => toApiKey(r, currentKeyId))
}

export async function deleteKey (db: Queryable, userId: string, keyId: string): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM api_keys WHERE id = $1 AND user_id = $2', [keyId, userId])
  return rowCount === 1
}

// Every key of the user but `keep` (null: all of them); how many went.
export async function deleteKeysOf (db: Queryable, userId: string, keep: string | null): Promise<number> {
  const { rowCount } = await db.query(
    'DELETE FROM api_keys WHERE user_id = $1 AND ($2::uuid IS NULL OR id <> $2::uuid)', [userId, keep])
  return rowCount ?? 0
}

export interface KeyHolder {
  keyId: string
  keyRole: KeyRole
  userId: string
  userRole: UserRole
  // The user's stream cap in kbps (sql/015); null: none.
  maxBitrate: number | null
  digest: Buffer
  // Whether the key's last use is old enough to be written again.
  stale: boolean
}

export async function keyHolder (db: Queryable, digest: Buffer): Promise<KeyHolder | null> {
  const { rows } = await db.query<{ id: string, role: KeyRole, user_id: string, user_role: UserRole, max_bitrate: number | null, key_hash: Buffer, stale: boolean }>(
    `SELECT k.id, k.role, k.user_id, u.role AS user_role, u.max_bitrate, k.key_hash,
            (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute') AS stale
     FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = $1`, [digest])
  if (rows.length === 0) return null
  const r = rows[0]
  return {
    keyId: r.id,
    keyRole: r.role,
    userId: r.user_id,
    userRole: r.user_role,
    maxBitrate: r.max_bitrate,
    digest: Buffer.from(r.key_hash),
    stale: r.stale
  }
}

// Last use is kept to the minute: a write per request would cost more than the request.
export async function markKeyUsed (db: Queryable, keyId: string, userId: string): Promise<void> {
  await db.query(
    `WITH k AS (UPDATE api_keys SET last_used_at = now() WHERE id = $1)
     UPDATE users SET last_seen_at = now() WHERE id = $2`, [keyId, userId])
}
