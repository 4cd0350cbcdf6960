// Users, their passwords and their API keys, and who a presented key belongs to. Routes call
// this; the auth check calls `callerFor`. Nothing here keeps a password or a key in memory
// longer than the call that hashes it.
import type { Pool, PoolClient } from 'pg'
import type { ApiKeyT, UserT } from '../../schemas/users.js'
import { inTransaction } from '../db/transaction.js'
import { handOverImported } from '../playlists/playlist-repository.js'
import { decoyCheck, hashPassword, passwordMatches } from './passwords.js'
import { digestsMatch, keyDigest, newApiKey } from './api-keys.js'
import { ACCOUNT_GONE, OWNER_ID, type Caller, type KeyRole, type UserRole } from './caller.js'
import {
  anyUser, claimOwner, credentialsOf, deleteUser, findUser, insertUser, sharedKeyAdmin, listUsers, adminsWhileChanging, accountOf,
  markSeen, passwordHashOf, updateUser
} from './user-repository.js'
import { deleteKey, deleteKeysOf, insertKey, keyHolder, listKeys, markKeyUsed, type KeyHolder } from './key-repository.js'

// How long a process may go on trusting what it read about a key: a revocation made by another
// process sharing the database takes effect within this.
export const KEY_TRUST_MS = 1000
const MAX_REMEMBERED_KEYS = 10_000

export class UserError extends Error {
  constructor (readonly statusCode: 401 | 403 | 404 | 409, message: string) {
    super(message)
    this.name = 'UserError'
  }
}

export const WRONG_LOGIN = 'Wrong username or password'
const NOBODY_YET = 'Nobody has signed up yet: create the first admin with POST /api/auth/setup'

export interface UsersDeps {
  pool: Pool
  // The shared API_KEY of the configuration; it acts as an admin.
  legacyKey: string | null
  now?: () => number
}

export interface IssuedKey {
  key: string
  apiKey: ApiKeyT
  user: UserT
}

export interface UserInput {
  username: string
  password: string
  displayName?: string | null
  role?: UserRole
  // kbps; absent or null: no cap.
  maxBitrate?: number | null
}

export interface UserPatch {
  role?: UserRole
  displayName?: string | null
  password?: string
  // kbps; null: remove the cap.
  maxBitrate?: number | null
}

interface Remembered { caller: Caller | null, at: number }

export function createUsers ({ pool, legacyKey, now = Date.now }: UsersDeps) {
  const db = pool
  const legacyDigest = legacyKey === null ? null : keyDigest(legacyKey)
  const remembered = new Map<string, Remembered>()
  // Once someone has signed up there is always someone (the last admin stays), so a true answer
  // is kept for good; a false one is asked again after KEY_TRUST_MS.
  let signedUp = false
  let signedUpCheckedAt = -Infinity
  let keyAdmin: Remembered | null = null

  // Moves on every revocation and role change, so a lookup that was already under way when one
  // happened does not put its answer, read before it, back in the cache.
  let generation = 0
  function forget (): void {
    generation++
    remembered.clear()
    keyAdmin = null
  }

  async function hasUsers (): Promise<boolean> {
    if (signedUp || now() - signedUpCheckedAt < KEY_TRUST_MS) return signedUp
    signedUp = await anyUser(db)
    signedUpCheckedAt = now()
    return signedUp
  }

  async function legacyCaller (): Promise<Caller> {
    if (keyAdmin === null || keyAdmin.caller === null || now() - keyAdmin.at >= KEY_TRUST_MS) {
      const admin = await sharedKeyAdmin(db)
      keyAdmin = { caller: { userId: admin.id, role: 'admin', keyId: null, maxBitrate: admin.maxBitrate }, at: now() }
    }
    return keyAdmin.caller as Caller
  }

  async function keyCaller (key: string): Promise<Caller | null> {
    const digest = keyDigest(key)
    const id = digest.toString('base64')
    const hit = remembered.get(id)
    if (hit !== undefined && now() - hit.at < KEY_TRUST_MS) return hit.caller
    // Trusted from when the database was asked, not from when it answered.
    const asked = now()
    const askedIn = generation
    const holder = await keyHolder(db, digest)
    const caller = holder === null || !digestsMatch(holder.digest, digest) ? null : callerOf(holder)
    if (holder?.stale === true) await markKeyUsed(db, holder.keyId, holder.userId)
    if (askedIn === generation) {
      if (remembered.size >= MAX_REMEMBERED_KEYS) remembered.clear()
      remembered.set(id, { caller, at: asked })
    }
    return caller
  }

  // A worker key acts for analysis only, and only while the admin who made it is one: demoting
  // them retires their worker keys too.
  function callerOf (holder: KeyHolder): Caller | null {
    const { userId, keyId, maxBitrate } = holder
    if (holder.keyRole === 'worker') return holder.userRole === 'admin' ? { userId, role: 'worker', keyId, maxBitrate } : null
    return { userId, role: holder.userRole, keyId, maxBitrate }
  }

  // Who a request with this key (null: none) is made by; null: nobody the service lets in.
  // An open service (no user, no API_KEY) lets everyone in as the owner, whatever they send,
  // as it did before users existed. No cap then: only a claimed user can be given one (updateUser
  // finds no other), and the owner is unclaimed until someone signs up.
  async function callerFor (key: string | null): Promise<Caller | null> {
    if (legacyDigest === null && !(await hasUsers())) return { userId: OWNER_ID, role: 'admin', keyId: null, maxBitrate: null }
    if (key === null || key === '') return null
    if (legacyDigest !== null && digestsMatch(legacyDigest, keyDigest(key))) return await legacyCaller()
    return await keyCaller(key)
  }

  async function issueKey (user: UserT, name: string, role: KeyRole = 'user'): Promise<IssuedKey> {
    const { key, hash } = newApiKey()
    const apiKey = await insertKey(db, user.id, name, role, hash)
    return { key, apiKey, user }
  }

  async function existing (id: string): Promise<UserT> {
    const user = await findUser(db, id)
    if (user === null) throw new UserError(404, 'No such user')
    return user
  }

  // Runs a change to user `id` that may take an admin away (`takesAdmin`: whether it does, if
  // they are one), one such change at a time, deciding on the admins as they are once it runs.
  async function keepingAnAdmin<T> (id: string, takesAdmin: boolean, change: (client: PoolClient) => Promise<T>): Promise<T> {
    return await inTransaction(pool, async (client) => {
      const admins = await adminsWhileChanging(client)
      if (takesAdmin && admins.length === 1 && admins[0] === id) {
        throw new UserError(409, 'The last admin cannot be demoted or deleted: make another admin first')
      }
      return await change(client)
    })
  }

  // A key given as the password of `username` (Subsonic's u+p): it counts only when it is one of
  // that user's keys. The shared API_KEY has no user, so it is taken with any name, as is
  // anything by an open service.
  async function appCaller (username: string, key: string): Promise<Caller | null> {
    const caller = await callerFor(key)
    if (caller === null || caller.keyId === null) return caller
    return await accountOf(db, username) === caller.userId ? caller : null
  }

  return {
    callerFor,
    appCaller,
    hasUsers,
    // What a password attempt for this name is counted against: the account the database finds
    // for it (so every spelling it accepts shares one count), or the name itself.
    attemptKey: async (username: string): Promise<string> => {
      const id = await accountOf(db, username)
      return id === null ? `name:${username.normalize('NFC').toLowerCase()}` : `user:${id}`
    },

    // The first admin, while nobody has signed up; it gets a first key, for the device that made it.
    async setup (input: UserInput, keyName: string): Promise<IssuedKey> {
      const user = await claimOwner(db, { username: input.username, displayName: input.displayName ?? null, passwordHash: await hashPassword(input.password) })
      if (user === null) throw new UserError(409, 'The first admin already exists: log in instead')
      signedUp = true
      forget()
      return await issueKey(user, keyName)
    },

    // ADMIN_USERNAME / ADMIN_PASSWORD at start-up: the first admin, only while nobody has signed
    // up, so a restart never changes anyone's password. True when it was made now.
    async bootstrapAdmin (username: string, password: string): Promise<boolean> {
      if (await anyUser(db)) return false
      const made = await claimOwner(db, { username, displayName: null, passwordHash: await hashPassword(password) })
      if (made !== null) {
        signedUp = true
        forget()
      }
      return made !== null
    },

    // The same error, after about the same work, for an unknown user and a wrong password.
    async login (username: string, password: string, keyName: string): Promise<IssuedKey> {
      const found = await credentialsOf(db, username)
      const ok = found === null ? await decoyCheck(password) : await passwordMatches(found.passwordHash, password)
      if (!ok || found === null) throw new UserError(401, WRONG_LOGIN)
      const user = await markSeen(db, found.id)
      if (user === null) throw new UserError(401, WRONG_LOGIN)
      return await issueKey(user, keyName)
    },

    keys: {
      list: async (caller: Caller): Promise<ApiKeyT[]> => await listKeys(db, caller.userId, caller.keyId),
      async create (caller: Caller, name: string, role: KeyRole): Promise<IssuedKey> {
        if (role === 'worker' && caller.role !== 'admin') throw new UserError(403, 'Only an admin can make a worker key')
        const user = await findUser(db, caller.userId)
        if (user === null) throw caller.userId === OWNER_ID ? new UserError(409, NOBODY_YET) : new UserError(401, ACCOUNT_GONE)
        return await issueKey(user, name, role)
      },
      async revoke (caller: Caller, keyId: string): Promise<void> {
        if (!(await deleteKey(db, caller.userId, keyId))) throw new UserError(404, 'No such key')
        forget()
      }
    },

    async me (caller: Caller): Promise<UserT> {
      const user = await findUser(db, caller.userId)
      if (user === null) throw new UserError(404, caller.userId === OWNER_ID ? NOBODY_YET : 'No such user')
      return user
    },
    list: async (): Promise<UserT[]> => await listUsers(db),
    // The caller's username; before anyone has signed up (an open service or the shared
    // API_KEY alone) there is no name, and 'admin' stands for the owner.
    nameOf: async (caller: Caller): Promise<string> => (await findUser(db, caller.userId))?.username ?? 'admin',
    get: existing,

    // Only once the first admin exists: a user made before would leave the service without one,
    // and an open service would let anyone make them.
    async create (input: UserInput): Promise<UserT> {
      if (!(await anyUser(db))) throw new UserError(409, NOBODY_YET)
      const made = await insertUser(db, {
        username: input.username,
        displayName: input.displayName ?? null,
        role: input.role ?? 'user',
        passwordHash: await hashPassword(input.password),
        maxBitrate: input.maxBitrate ?? null
      })
      if (made === null) throw new UserError(409, 'That username is taken')
      return made
    },

    // A password reset by an admin also revokes every key of the user: whoever held the old
    // password may have made some. A new stream cap reaches this process's callers at once
    // (forget) and other processes' within KEY_TRUST_MS.
    async update (id: string, patch: UserPatch): Promise<UserT> {
      const passwordHash = patch.password === undefined ? undefined : await hashPassword(patch.password)
      const user = await keepingAnAdmin(id, patch.role === 'user', async (client) => {
        const updated = await updateUser(client, id, { role: patch.role, displayName: patch.displayName, passwordHash, maxBitrate: patch.maxBitrate })
        if (updated !== null && passwordHash !== undefined) await deleteKeysOf(client, id, null)
        return updated
      })
      if (user === null) throw new UserError(404, 'No such user')
      forget()
      return user
    },

    // Their keys, per-user state and playlists go with them.
    async remove (id: string): Promise<void> {
      const removed = await keepingAnAdmin(id, true, async (client) => {
        // Playlists imported from the media folder are everyone's: they stay, with another admin.
        await handOverImported(client, id)
        return await deleteUser(client, id)
      })
      if (!removed) throw new UserError(404, 'No such user')
      forget()
    },

    // Every other key of the caller is revoked unless keepOtherKeys; how many were.
    async changePassword (caller: Caller, oldPassword: string, newPassword: string, keepOtherKeys: boolean): Promise<number> {
      const stored = await passwordHashOf(db, caller.userId)
      if (stored === null) throw new UserError(409, NOBODY_YET)
      if (!(await passwordMatches(stored, oldPassword))) throw new UserError(403, 'The current password is wrong')
      const passwordHash = await hashPassword(newPassword)
      const revoked = await inTransaction(pool, async (client) => {
        await updateUser(client, caller.userId, { passwordHash })
        return keepOtherKeys ? 0 : await deleteKeysOf(client, caller.userId, caller.keyId)
      })
      forget()
      return revoked
    }
  }
}

export type Users = ReturnType<typeof createUsers>
