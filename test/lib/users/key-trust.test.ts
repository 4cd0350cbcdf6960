// How long the users service trusts what it read about a key, with the database's answer held
// back at will: the one timing a revocation can race with.
import t, { type Test } from 'tap'
import type { Pool } from 'pg'
import { build } from '../../helper.js'
import { createUsers, KEY_TRUST_MS } from '../../../lib/users/user-service.js'
import { addKey, addUser } from '../../fixtures/users.js'

// The real pool, except that the answer to a key lookup waits for `release` once `hold` is set.
function heldPool (pool: Pool): { pool: Pool, hold: () => () => void } {
  let gate: Promise<void> | null = null
  const held = Object.create(pool) as Pool
  held.query = (async (text: string, values?: unknown[]) => {
    const result = await pool.query(text, values)
    if (gate !== null && text.includes('FROM api_keys k JOIN users')) await gate
    return result
  }) as Pool['query']
  return {
    pool: held,
    hold: () => {
      let release = (): void => {}
      gate = new Promise<void>((resolve) => { release = resolve })
      return () => { gate = null; release() }
    }
  }
}

// An admin with one key, and a users service on a held pool whose clock the test sets.
async function trustSetup (t: Test) {
  const app = await build(t)
  const admin = await addUser(app.pg.pool, 'ana', 'admin')
  const key = await addKey(app.pg.pool, admin.id, 'user', 'doomed')
  const clock = { now: 0 }
  const { pool, hold } = heldPool(app.pg.pool)
  const users = createUsers({ pool, legacyKey: null, now: () => clock.now })
  return { app, admin, key, clock, hold, users }
}

t.test('an answer read before a revocation is used by the request that asked, and by no later one', async (t) => {
  const { admin, key, hold, users } = await trustSetup(t)

  const release = hold()
  const inFlight = users.callerFor(key)
  // Let the lookup read the key while it still exists.
  await new Promise((resolve) => setTimeout(resolve, 50))
  const keyId = (await users.keys.list({ userId: admin.id, role: 'admin', keyId: null, maxBitrate: null })).find((k) => k.name === 'doomed')?.id as string
  await users.keys.revoke({ userId: admin.id, role: 'admin', keyId: null, maxBitrate: null }, keyId)
  release()
  t.match(await inFlight, { userId: admin.id }, 'the request already under way gets what it read')
  t.equal(await users.callerFor(key), null, 'the next request is refused: the stale answer was not kept')
})

t.test('a key is trusted for at most KEY_TRUST_MS from when the database was asked', async (t) => {
  const { app, key, clock, hold, users } = await trustSetup(t)

  const release = hold()
  const asked = users.callerFor(key)
  await new Promise((resolve) => setTimeout(resolve, 50))
  // The answer takes most of the trust period to arrive.
  clock.now = KEY_TRUST_MS - 10
  release()
  t.ok(await asked)
  // Another process revokes it now; this one may not trust its copy past asked + KEY_TRUST_MS.
  await app.pg.query('DELETE FROM api_keys')
  t.ok(await users.callerFor(key), 'still within the period')
  clock.now = KEY_TRUST_MS
  t.equal(await users.callerFor(key), null, 'refused KEY_TRUST_MS after the database was asked, not after it answered')
})

t.test('a stream cap changed by another process reaches a key within KEY_TRUST_MS, like a revocation', async (t) => {
  const { app, admin, key, clock, users } = await trustSetup(t)

  t.match(await users.callerFor(key), { userId: admin.id, maxBitrate: null })
  await app.pg.query('UPDATE users SET max_bitrate = 96 WHERE id = $1', [admin.id])
  clock.now = KEY_TRUST_MS - 1
  t.match(await users.callerFor(key), { maxBitrate: null }, 'the copy read before is still trusted')
  clock.now = KEY_TRUST_MS
  t.match(await users.callerFor(key), { maxBitrate: 96 }, 'and read again once the period is over')
  await users.update(admin.id, { maxBitrate: null })
  t.match(await users.callerFor(key), { maxBitrate: null }, 'a change made through this service is seen at once')
})
