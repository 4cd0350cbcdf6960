// Who a request is made by, as the auth check decided it.
export type UserRole = 'admin' | 'user'
// A key's own role: 'worker' keys may only write analysis results, whatever their user may do.
export type KeyRole = 'user' | 'worker'
export type CallerRole = UserRole | 'worker'

export interface Caller {
  userId: string
  role: CallerRole
  // The key the request carried; null for the shared API_KEY and for an open service.
  keyId: string | null
  // The admin's cap on this user's streams, in kbps (sql/015); null: none. Read with the key, so
  // a change reaches a process within the key trust period (KEY_TRUST_MS).
  maxBitrate: number | null
}

// What a route needs beyond a valid key: an admin, or the right to write analysis results
// (an admin or a worker key). Routes that name neither are for people: admins and users.
export type RouteRole = 'admin' | 'analysis'

export function mayCall (caller: Caller, needs: RouteRole | undefined): boolean {
  if (needs === 'admin') return caller.role === 'admin'
  if (needs === 'analysis') return caller.role === 'admin' || caller.role === 'worker'
  return caller.role !== 'worker'
}

// The account saves belong to before anyone signs up; the first admin claims it (sql/010).
export const OWNER_ID = '00000000-0000-4000-8000-000000000000'

export const ACCOUNT_GONE = 'This account no longer exists'

// A write naming a user who was deleted meanwhile (a request already past the key check, or
// another process still trusting the key for its last second): the database refuses it.
const USER_REFERENCES = /^(api_keys_user_id|user_(track|album|artist)_state_user_id|playlists_owner_id|play_queues_user_id)_fkey$/
export function isGoneAccount (err: unknown): boolean {
  const e = err as { code?: unknown, constraint?: unknown } | null
  return e?.code === '23503' && typeof e.constraint === 'string' && USER_REFERENCES.test(e.constraint)
}
