// Whole lists (limit=-1): read in one database snapshot, written to disk in batches, sent from
// the file with an ETag, and kept for the next request while the library is unchanged (see
// lib/library/whole-list.ts and lib/library/whole-list-cache.ts).
import { join } from 'node:path'
import type { FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import fresh from 'fresh'
import { WholeListCache, wholeListDir, type WholeBody } from '../lib/library/whole-list-cache.js'
import { writeWholeList, type PoolLike, type WholeListSpec } from '../lib/library/whole-list.js'
import { responseKey } from '../lib/library/response-cache.js'

export interface WholeListReply<R, T> {
  field: 'tracks' | 'albums' | 'artists'
  spec: WholeListSpec<R, T>
  // The JSON schema of one item, so items serialise exactly as in a page.
  itemSchema: Record<string, unknown>
  // The 404 message for a list of one album or artist that does not exist (see spec.parentExists).
  notFound?: string
}

export interface WholeLists {
  cache: WholeListCache
  send: <R, T>(request: FastifyRequest, reply: FastifyReply, list: WholeListReply<R, T>) => Promise<FastifyReply>
}

declare module 'fastify' {
  interface FastifyInstance {
    wholeLists: WholeLists
  }
}

export default fp(async (fastify) => {
  const dir = await wholeListDir(join(fastify.config.dataDir, 'whole-lists'))
  const cache = new WholeListCache(dir, fastify.config.wholeListCacheMb * 1024 * 1024)
  fastify.addHook('onClose', async () => { await cache.close() })

  async function build<R, T> (request: FastifyRequest, reply: FastifyReply, list: WholeListReply<R, T>): Promise<WholeBody> {
    const serialize = reply.compileSerializationSchema(list.itemSchema) as (item: T) => string
    // A client that goes away stops the database reads at the next batch.
    const abort = new AbortController()
    const gone = (): void => { if (!reply.raw.writableEnded) abort.abort() }
    reply.raw.once('close', gone)
    try {
      return await cache.build(responseKey(request.caller?.userId ?? null, request.url), async (write) =>
        writeWholeList(fastify.pg.pool as unknown as PoolLike, list.spec, { field: list.field, serialize, write, signal: abort.signal }))
    } finally {
      reply.raw.off('close', gone)
    }
  }

  async function send<R, T> (request: FastifyRequest, reply: FastifyReply, list: WholeListReply<R, T>): Promise<FastifyReply> {
    // Read before the body, so a stored body is never labelled newer than it is.
    const version = request.libraryVersion ?? await fastify.library.version()
    // Per (caller, URL), as in the response cache: a track list shows its caller's state.
    const body = await cache.get(version, responseKey(request.caller?.userId ?? null, request.url)) ?? await build(request, reply, list)
    const parentExists = list.spec.parentExists
    if (body.total === 0 && parentExists !== undefined) {
      const exists = await parentExists().catch(async (err: unknown) => { await body.handle.close(); throw err })
      if (!exists) {
        await body.handle.close()
        throw fastify.httpErrors.notFound(list.notFound ?? 'Not Found')
      }
    }
    reply.header('etag', body.etag).header('cache-control', 'no-cache')
    // Only the validator goes to fresh(): see plugins/response-cache.ts.
    if (fresh({ 'if-none-match': request.headers['if-none-match'] }, { etag: body.etag })) {
      await body.handle.close()
      return await reply.code(304).send()
    }
    return await reply
      .type('application/json; charset=utf-8')
      .header('content-length', body.bytes)
      .send(body.handle.createReadStream())
  }

  fastify.decorate('wholeLists', { cache, send })
}, { name: 'whole-lists', dependencies: ['config', 'db', 'auth', 'library'], fastify: '5.x' })
