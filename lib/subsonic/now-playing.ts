// What each user's players are playing now (Subsonic's scrobble with submission=false, read by
// getNowPlaying). It is a passing state, not history: kept in memory only, bounded, and each
// entry forgotten once its track would have ended.
import type { LibraryView } from '../library/library-service.js'
import type { SubsonicNode } from './response.js'
import { songs } from './with-state.js'

export interface Playing {
  userId: string
  username: string
  trackId: string
  // The client's name (the `c` parameter): one user may play on several devices at once.
  playerName: string
  // Seconds; how long the entry lasts at least.
  duration: number
  since: Date
}

export interface NowPlayingEntry extends Playing {
  playerId: number
}

// Players report a track as it starts; one that stops says nothing, so an entry ends on its own.
// Ten minutes keeps a short track shown while it is paused, a long one stays its whole length.
const MIN_TTL_MS = 10 * 60_000
const MAX_ENTRIES = 1000
// One person plays on a few devices at once; more players of theirs only push others out.
const MAX_PLAYERS_PER_USER = 10
// A client's name is a label (DSub, Symfonium): longer ones are cut.
const MAX_PLAYER_NAME = 100

const keyOf = (p: { userId: string, playerName: string }): string => `${p.userId}\u0000${p.playerName}`

export class NowPlaying {
  // In insertion order, which is the order of the last report: the first is the oldest.
  private readonly entries = new Map<string, NowPlayingEntry>()
  // Subsonic's player ids are integers; each user and client pair keeps one while it is known.
  private readonly players = new Map<string, number>()
  private nextPlayerId = 1

  constructor (private readonly maxEntries = MAX_ENTRIES) {}

  record (reported: Playing): void {
    const playing = { ...reported, playerName: reported.playerName.slice(0, MAX_PLAYER_NAME) }
    const key = keyOf(playing)
    if (!this.entries.has(key)) this.makeRoomFor(playing.userId)
    let playerId = this.players.get(key)
    if (playerId === undefined) {
      playerId = this.nextPlayerId++
      this.players.set(key, playerId)
    }
    this.entries.delete(key)
    this.entries.set(key, { ...playing, playerId })
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries) break
      this.forget(oldest)
    }
  }

  private makeRoomFor (userId: string): void {
    const theirs = [...this.entries].filter(([, entry]) => entry.userId === userId)
    for (const [key] of theirs.slice(0, Math.max(0, theirs.length - MAX_PLAYERS_PER_USER + 1))) this.forget(key)
  }

  // Every user's, newest first.
  current (now: Date): NowPlayingEntry[] {
    const live: NowPlayingEntry[] = []
    for (const [key, entry] of this.entries) {
      if (now.getTime() - entry.since.getTime() > Math.max(MIN_TTL_MS, entry.duration * 1000)) this.forget(key)
      else live.push(entry)
    }
    return live.reverse()
  }

  private forget (key: string): void {
    this.entries.delete(key)
    this.players.delete(key)
  }
}

// The OpenSubsonic NowPlayingEntry: the track's Child and who plays it where.
function nowPlayingEntry (song: SubsonicNode, entry: NowPlayingEntry, now: Date): SubsonicNode {
  return {
    ...song,
    username: entry.username,
    minutesAgo: Math.max(0, Math.floor((now.getTime() - entry.since.getTime()) / 60_000)),
    playerId: entry.playerId,
    playerName: entry.playerName
  }
}

// Every user's entries with the songs as the caller sees them (their stars and plays); a track
// gone from the library meanwhile is left out.
export async function nowPlayingEntries (library: LibraryView, store: NowPlaying, now: Date): Promise<SubsonicNode[]> {
  const entries = store.current(now)
  const tracks = await library.tracks.byIds([...new Set(entries.map((e) => e.trackId))])
  const nodes = await songs(library, tracks)
  const byId = new Map(tracks.map((track, i) => [track.id, nodes[i]]))
  return entries.flatMap((entry) => {
    const song = byId.get(entry.trackId)
    return song === undefined ? [] : [nowPlayingEntry(song, entry, now)]
  })
}
