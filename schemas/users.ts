import { Type, type Static } from '@sinclair/typebox'
import { DateTime, Uuid } from './common.js'
import { PASSWORD_MAX, PASSWORD_MIN } from '../lib/users/passwords.js'

const ROLE_TEXT = 'admin: everything, including scans and users; user: the library, their own state, playlists and keys'
const UserRole = Type.Unsafe<'admin' | 'user'>({ type: 'string', enum: ['admin', 'user'], description: ROLE_TEXT })
const KeyRole = Type.Unsafe<'user' | 'worker'>({
  type: 'string',
  enum: ['user', 'worker'],
  description: 'user: acts as its user; worker (admins only): may only write analysis results, for analysis workers'
})

// Letters (with their accents, composed or not) and digits of any script, and . _ - @ + (so an
// e-mail address works); no spaces, no separators a Subsonic client or a log line could misread.
export const Username = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[\\p{L}\\p{M}\\p{N}._@+-]+$',
  description: 'Case-insensitive: "Ana" and "ana" are the same user'
})
export const Password = Type.String({ minLength: PASSWORD_MIN, maxLength: PASSWORD_MAX, description: `${PASSWORD_MIN} to ${PASSWORD_MAX} characters` })
const DisplayName = Type.String({ minLength: 1, maxLength: 100 })
const KeyName = Type.String({ minLength: 1, maxLength: 100, description: 'What the key is for, e.g. the device or app' })
// kbps, the range of the lossy formats streams are transcoded to (sql/015). An integer only:
// 128.5 or "128" is refused, not rounded or coerced, so the cap stored is the one the admin sent.
const BITRATE_TEXT = 'Every stream of this user is transcoded to at most this many kbps; null: no cap'
const MaxBitrate = Type.Union([Type.Integer({ minimum: 32, maximum: 320 }), Type.Null()], { description: BITRATE_TEXT })
const MaxBitrateInput = Type.Union([Type.Integer({ minimum: 32, maximum: 320 }), Type.Null()], {
  description: `${BITRATE_TEXT}. Set by an admin only (a user cannot lift their own cap); it reaches a key already ` +
    'in use within a second (the key trust period)'
})

export const User = Type.Object({
  id: Uuid,
  username: Type.String(),
  displayName: Type.String({ description: 'The username when none was set' }),
  role: UserRole,
  createdAt: DateTime,
  lastSeenAt: Type.Union([DateTime, Type.Null()], { description: 'Last login or use of a key, to the minute; null if never' }),
  maxBitrate: MaxBitrate
}, { $id: 'User' })
export type UserT = Static<typeof User>

export const UserList = Type.Object({ users: Type.Array(Type.Ref(User)) }, { $id: 'UserList' })

export const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  role: KeyRole,
  createdAt: DateTime,
  lastUsedAt: Type.Union([DateTime, Type.Null()], { description: 'To the minute; null if never used' }),
  current: Type.Boolean({ description: 'The key this request was made with' })
}, { $id: 'ApiKey', description: 'A key as its owner sees it later: never the key itself' })
export type ApiKeyT = Static<typeof ApiKey>

export const ApiKeyList = Type.Object({ keys: Type.Array(Type.Ref(ApiKey)) }, { $id: 'ApiKeyList' })

export const IssuedKey = Type.Object({
  key: Type.String({ description: 'The key, shown this once: send it as `Authorization: Bearer <key>` (or ?api_key=)' }),
  apiKey: Type.Ref(ApiKey),
  user: Type.Ref(User)
}, { $id: 'IssuedKey' })

export const SetupBody = Type.Object({
  username: Username,
  password: Password,
  displayName: Type.Optional(DisplayName),
  keyName: Type.Optional(KeyName)
}, { additionalProperties: false })

export const LoginBody = Type.Object({
  // Checked only for length here: any other spelling is just a user that does not exist.
  username: Type.String({ minLength: 1, maxLength: 64 }),
  password: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  name: Type.Optional(KeyName)
}, { additionalProperties: false })

export const KeyCreateBody = Type.Object({
  name: KeyName,
  role: Type.Optional(KeyRole)
}, { additionalProperties: false })

export const UserCreateBody = Type.Object({
  username: Username,
  password: Password,
  displayName: Type.Optional(DisplayName),
  role: Type.Optional(UserRole),
  maxBitrate: Type.Optional(MaxBitrateInput)
}, { additionalProperties: false })

export const UserPatchBody = Type.Object({
  role: Type.Optional(UserRole),
  displayName: Type.Optional(Type.Union([DisplayName, Type.Null()], { description: 'null: show the username' })),
  password: Type.Optional(Type.Union([Password], { description: 'A new password; every key of the user is revoked' })),
  maxBitrate: Type.Optional(MaxBitrateInput)
}, { additionalProperties: false, minProperties: 1 })

export const PasswordChangeBody = Type.Object({
  oldPassword: Type.String({ minLength: 1, maxLength: PASSWORD_MAX }),
  newPassword: Password,
  keepOtherKeys: Type.Optional(Type.Boolean({ description: 'Default false: every other key of yours is revoked' }))
}, { additionalProperties: false })

export const PasswordChanged = Type.Object({
  revokedKeys: Type.Integer({ minimum: 0 })
}, { $id: 'PasswordChanged' })

export const USER_SCHEMAS = [User, UserList, ApiKey, ApiKeyList, IssuedKey, PasswordChanged]
