// The one play queue each user saves (Subsonic's savePlayQueue/getPlayQueue), to pick up on
// another device where they left off.
import type { Queryable } from '../db/queryable.js'

export interface PlayQueue {
  // In play order. Tracks since removed from the library are still listed: readers skip them.
  trackIds: string[]
  currentId: string | null
  positionMs: number
  changedAt: Date
  // The client that saved it.
  changedBy: string
}

export type SavedQueue = Omit<PlayQueue, 'changedAt'>

export async function findPlayQueue (db: Queryable, user: string): Promise<PlayQueue | null> {
  const { rows } = await db.query<{ track_ids: string[], current_id: string | null, position_ms: string | number, changed_at: Date | string, changed_by: string }>(
    'SELECT track_ids, current_id, position_ms, changed_at, changed_by FROM play_queues WHERE user_id = $1::uuid', [user])
  if (rows.length === 0) return null
  const row = rows[0]
  return {
    trackIds: row.track_ids,
    currentId: row.current_id,
    positionMs: Number(row.position_ms),
    changedAt: new Date(row.changed_at),
    changedBy: row.changed_by
  }
}

// Replaces the user's queue whole; an empty one is no queue, so it is deleted.
export async function savePlayQueue (db: Queryable, user: string, queue: SavedQueue): Promise<void> {
  if (queue.trackIds.length === 0) {
    await db.query('DELETE FROM play_queues WHERE user_id = $1::uuid', [user])
    return
  }
  await db.query(
    `INSERT INTO play_queues (user_id, track_ids, current_id, position_ms, changed_by)
     VALUES ($1::uuid, $2::uuid[], $3::uuid, $4::bigint, $5)
     ON CONFLICT (user_id) DO UPDATE SET track_ids = EXCLUDED.track_ids, current_id = EXCLUDED.current_id,
       position_ms = EXCLUDED.position_ms, changed_at = now(), changed_by = EXCLUDED.changed_by`,
    [user, queue.trackIds, queue.currentId, queue.positionMs, queue.changedBy])
}
