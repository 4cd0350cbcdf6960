import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errors } from '../../schemas/common.js'
import { PasswordChangeBody, PasswordChanged, User, UserCreateBody, UserList, UserPatchBody } from '../../schemas/users.js'
import type { Caller } from '../../lib/users/caller.js'

const UserRef = Type.Ref(User)
const callerOf = (request: { caller: Caller | null }): Caller => request.caller as Caller

const users: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.get('/me', {
    schema: {
      tags: ['users'],
      summary: 'Who you are',
      description: 'Includes maxBitrate, the cap an admin set on your streams (null: none).',
      response: { 200: UserRef, ...errors(401, 404, 503) }
    }
  }, async (request) => await fastify.users.me(callerOf(request)))

  fastify.put('/me/password', {
    preHandler: fastify.passwordLimit,
    schema: {
      tags: ['users'],
      summary: 'Change your password',
      description: 'Needs the current password. Every other key of yours is revoked (not the one this request ' +
        'carries) unless keepOtherKeys is true.',
      body: PasswordChangeBody,
      response: { 200: Type.Ref(PasswordChanged), ...errors(400, 401, 403, 409, 415, 429, 503) }
    }
  }, async (request) => {
    const { oldPassword, newPassword, keepOtherKeys } = request.body
    return { revokedKeys: await fastify.users.changePassword(callerOf(request), oldPassword, newPassword, keepOtherKeys === true) }
  })

  fastify.get('/', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Every user',
      response: { 200: Type.Ref(UserList), ...errors(401, 403, 503) }
    }
  }, async () => ({ users: await fastify.users.list() }))

  fastify.post('/', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Add a user',
      description: 'Usernames are unique whatever their case. The new user logs in with POST /api/auth/login.',
      body: UserCreateBody,
      response: { 201: UserRef, ...errors(400, 401, 403, 409, 415, 503) }
    }
  }, async (request, reply) => reply.code(201).send(await fastify.users.create(request.body)))

  fastify.get('/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'One user',
      params: IdParams,
      response: { 200: UserRef, ...errors(400, 401, 403, 404, 503) }
    }
  }, async (request) => await fastify.users.get(request.params.id))

  fastify.patch('/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Change a user\'s role, display name, password or stream cap',
      description: 'A new password revokes every key of the user. The last admin cannot be made a user (409). ' +
        'maxBitrate (kbps, 32 to 320; null: none) caps every stream of the user: it is the admin\'s limit, so users ' +
        'cannot change their own, and it reaches keys already in use within a second (the key trust period).',
      params: IdParams,
      body: UserPatchBody,
      response: { 200: UserRef, ...errors(400, 401, 403, 404, 409, 415, 503) }
    }
  }, async (request) => await fastify.users.update(request.params.id, request.body))

  fastify.delete('/:id', {
    config: { role: 'admin' },
    schema: {
      tags: ['users'],
      summary: 'Delete a user',
      description: 'Their keys, favourites, ratings, plays and playlists go with them. The last admin cannot be deleted (409).',
      params: IdParams,
      response: { 204: { description: 'Deleted', type: 'null' }, ...errors(400, 401, 403, 404, 409, 503) }
    }
  }, async (request, reply) => {
    await fastify.users.remove(request.params.id)
    return reply.code(204).send()
  })
}

export default users
