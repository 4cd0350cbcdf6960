import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import { IdParams, errors } from '../../schemas/common.js'
import { ApiKeyList, IssuedKey, KeyCreateBody, LoginBody, SetupBody } from '../../schemas/users.js'
import type { Caller } from '../../lib/users/caller.js'

const IssuedKeyRef = Type.Ref(IssuedKey)

// Routes that need a key always have a caller (plugins/auth.ts).
const callerOf = (request: { caller: Caller | null }): Caller => request.caller as Caller

const auth: FastifyPluginAsyncTypebox = async (fastify) => {
  fastify.post('/setup', {
    config: { role: 'admin' },
    preHandler: fastify.passwordLimit,
    schema: {
      tags: ['auth'],
      summary: 'Create the first admin',
      description: 'Only while nobody has signed up; afterwards always 409. While the service is open ' +
        '(no user, no API_KEY) anyone may call it; with API_KEY set it needs that key. Whatever was saved ' +
        'before (favourites, plays, playlists) becomes the new admin\'s. From then on every protected route ' +
        'needs a key: the answer carries the first one.',
      body: SetupBody,
      response: { 201: IssuedKeyRef, ...errors(400, 401, 409, 415, 429, 503) }
    }
  }, async (request, reply) => {
    const { keyName, ...user } = request.body
    return reply.code(201).send(await fastify.users.setup(user, keyName ?? 'setup'))
  })

  fastify.post('/login', {
    config: { public: true },
    preHandler: fastify.passwordLimit,
    schema: {
      tags: ['auth'],
      summary: 'Log in: a new key for this device',
      description: 'Returns a new API key, shown this once; list and revoke keys under /api/auth/keys. ' +
        'A wrong password and an unknown username get the same 401.',
      body: LoginBody,
      response: { 201: IssuedKeyRef, ...errors(400, 401, 415, 429, 503) }
    }
  }, async (request, reply) => {
    const { username, password, name } = request.body
    return reply.code(201).send(await fastify.users.login(username, password, name ?? 'login'))
  })

  fastify.get('/keys', {
    schema: {
      tags: ['auth'],
      summary: 'Your keys',
      description: 'Name, role, when made and last used (to the minute); never the key itself.',
      response: { 200: Type.Ref(ApiKeyList), ...errors(401, 503) }
    }
  }, async (request) => ({ keys: await fastify.users.keys.list(callerOf(request)) }))

  fastify.post('/keys', {
    schema: {
      tags: ['auth'],
      summary: 'Make a named key for an app',
      description: 'role worker (admins only) makes a key that may only write analysis results, for an analysis worker.',
      body: KeyCreateBody,
      response: { 201: IssuedKeyRef, ...errors(400, 401, 403, 409, 415, 503) }
    }
  }, async (request, reply) =>
    reply.code(201).send(await fastify.users.keys.create(callerOf(request), request.body.name, request.body.role ?? 'user')))

  fastify.delete('/keys/:id', {
    schema: {
      tags: ['auth'],
      summary: 'Revoke one of your keys',
      description: 'Refused at once by this process and within a second by every other process on the same database.',
      params: IdParams,
      response: { 204: { description: 'Revoked', type: 'null' }, ...errors(400, 401, 404, 503) }
    }
  }, async (request, reply) => {
    await fastify.users.keys.revoke(callerOf(request), request.params.id)
    return reply.code(204).send()
  })
}

export default auth
