// Stars, ratings and plays (star, unstar, setRating, scrobble), what everyone is playing now,
// and the caller's starred items. All of it is the caller's own, as on /api.
import type { FastifyPluginAsync } from 'fastify'
import { method } from './method.js'
import { rate, scrobbles, setStarred, starTargets } from '../../lib/subsonic/annotations.js'
import { NowPlaying, nowPlayingEntries } from '../../lib/subsonic/now-playing.js'
import { allKinds } from '../../lib/subsonic/with-state.js'

const annotation: FastifyPluginAsync = async (fastify) => {
  const nowPlaying = new NowPlaying()

  for (const [name, starred] of [['star', true], ['unstar', false]] as const) {
    method(fastify, name, async ({ params, library }) => {
      await setStarred(library, await starTargets(library, params), starred)
      return {}
    })
  }

  method(fastify, 'setRating', async ({ params, library }) => {
    const id = params.required('id')
    await rate(library, id, params.requiredInt('rating', { min: 0, max: 5 }))
    return {}
  })

  // submission=false: the client has started the track (now playing); true: it was played.
  method(fastify, 'scrobble', async ({ params, library, caller }) => {
    const submission = params.bool('submission', true)
    const now = new Date()
    const { tracks, times } = await scrobbles(library, params, now)
    if (submission) {
      for (const [i, track] of tracks.entries()) await library.tracks.recordPlay(track.id, times[i])
      return {}
    }
    // A player plays one track at a time: of several, the last is the one playing.
    const track = tracks[tracks.length - 1]
    nowPlaying.record({
      userId: caller.userId,
      username: await fastify.users.nameOf(caller),
      trackId: track.id,
      playerName: params.string('c') ?? '',
      duration: track.duration,
      since: now
    })
    return {}
  })

  method(fastify, 'getNowPlaying', async ({ library }) =>
    ({ nowPlaying: { entry: await nowPlayingEntries(library, nowPlaying, new Date()) } }))

  method(fastify, 'getStarred2', async ({ library }) => ({ starred2: await allKinds(library, await library.starred(), 'id3') }))
  method(fastify, 'getStarred', async ({ library }) => ({ starred: await allKinds(library, await library.starred(), 'directory') }))
}

export default annotation
