// The transcoder for every API that streams (lib/transcode): one set of ffmpeg slots and one
// cache of finished transcodes for the process, what this machine's ffmpeg can encode (probed
// once at start-up), and every ffmpeg stopped before the server closes its connections.
import { join } from 'node:path'
import fp from 'fastify-plugin'
import { probeEncoders, Transcoder } from '../lib/transcode/transcoder.js'
import { TranscodeCache } from '../lib/transcode/transcode-cache.js'
import type { TranscodeDefaults } from '../lib/transcode/stream-choice.js'

export interface Transcoding {
  transcoder: Transcoder
  cache: TranscodeCache
  defaults: TranscodeDefaults
}

declare module 'fastify' {
  interface FastifyInstance {
    transcoding: Transcoding
  }
}

export default fp(async (fastify) => {
  const { config } = fastify
  const encoders = await probeEncoders(config.ffmpegPath)
  if (encoders.size === 0) {
    fastify.log.warn({ ffmpeg: config.ffmpegPath }, 'ffmpeg was not found: streams are served as the original files only')
  }
  const transcoder = new Transcoder({ ffmpegPath: config.ffmpegPath, max: config.transcodeMax, waitMs: config.transcodeWaitMs }, encoders)
  const cache = new TranscodeCache(join(config.dataDir, 'transcodes'), config.transcodeCacheMb * 1024 * 1024)
  await cache.init()

  fastify.decorate('transcoding', {
    transcoder,
    cache,
    defaults: { format: config.transcodeDefaultFormat, bitrate: config.transcodeDefaultBitrate }
  } satisfies Transcoding)

  // Before the server waits for in-flight responses: a live transcode lasts as long as its
  // listener keeps reading, so it is ended (its response closes as a failed download) rather
  // than waited for.
  fastify.addHook('preClose', async () => { await transcoder.close() })
}, { name: 'transcoder', dependencies: ['config'], fastify: '5.x' })
