// The saved play queue, and the parts of the API this server has nothing for (bookmarks,
// internet radio, podcasts): those answer empty lists, which apps show as "none yet", where an
// error would show as a failure.
import type { FastifyPluginAsync } from 'fastify'
import { method } from './method.js'
import { playQueueNode, queueToSave } from '../../lib/subsonic/play-queue-model.js'

const queue: FastifyPluginAsync = async (fastify) => {
  method(fastify, 'savePlayQueue', async ({ params, library }) => {
    await library.queue.save(await queueToSave(library, params))
    return {}
  })

  // No saved queue is a plain ok, without playQueue.
  method(fastify, 'getPlayQueue', async ({ library, caller }) => {
    const saved = await library.queue.get()
    if (saved === null) return {}
    return { playQueue: await playQueueNode(library, saved, await fastify.users.nameOf(caller)) }
  })

  method(fastify, 'getBookmarks', async () => ({ bookmarks: { bookmark: [] } }))
  method(fastify, 'getInternetRadioStations', async () => ({ internetRadioStations: { internetRadioStation: [] } }))
  method(fastify, 'getPodcasts', async () => ({ podcasts: { channel: [] } }))
}

export default queue
