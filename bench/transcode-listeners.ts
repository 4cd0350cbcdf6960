// Listeners of a live transcode, each playing it at real time: what bench/transcode raises until
// some of them run dry. A listener starts playing once it holds PREBUFFER seconds of audio, reads
// only while it is less than AHEAD seconds ahead of what it has played (so it pulls at 1× once
// its buffer is full, as a player does), and underruns when it has received less audio than the
// wall time it has been playing.
import { request, type ClientRequest } from 'node:http'

const PREBUFFER_SECONDS = 1
const AHEAD_SECONDS = 4
const TICK_MS = 100

export interface ListenOptions {
  url: string
  listeners: number
  // Arrivals spread evenly over this many seconds.
  rampSeconds: number
  // How long each listener plays once started.
  playSeconds: number
  // The transcode's bytes per second of audio (measured), to turn bytes into seconds.
  bytesPerSecond: number
}

export interface ListenResult {
  listeners: number
  // Listeners whose buffer ran dry at least once after they started playing.
  underruns: number
  // Not answered 200, or not started within playSeconds (counted as failures, not underruns).
  failed: number
  // Seconds from the request to holding the prebuffer, over the listeners that started.
  startP50: number
  startMax: number
  // The smallest buffer any listener held while playing (seconds of audio; negative: a deficit).
  minBuffer: number
}

interface Listener {
  sentAt: number
  bytes: number
  playingAt: number | null
  underrun: boolean
  done: boolean
  failed: boolean
  minBuffer: number
  req: ClientRequest | null
  pause: () => void
  resume: () => void
}

export async function listen (options: ListenOptions): Promise<ListenResult> {
  const { listeners: count, rampSeconds, playSeconds, bytesPerSecond } = options
  const all: Listener[] = []
  let ticker: NodeJS.Timeout | undefined
  const finished = new Promise<void>((resolve) => {
    let left = count
    const finish = (l: Listener, failed: boolean): void => {
      if (l.done) return
      l.done = true
      l.failed = failed
      l.req?.destroy()
      if (--left === 0) resolve()
    }

    // Judged after the poll phase (setImmediate), so bytes already waiting on the socket are
    // counted: a tick that fires late must not blame the server for the bench's own delay.
    const judge = (l: Listener, now: number): void => {
      if (l.done) return
      const received = l.bytes / bytesPerSecond
      if (l.playingAt === null) {
        if (received >= PREBUFFER_SECONDS) l.playingAt = now
        else if (now - l.sentAt > playSeconds * 1000) finish(l, true)
        return
      }
      const played = (now - l.playingAt) / 1000
      const buffer = received - played
      l.minBuffer = Math.min(l.minBuffer, buffer)
      if (buffer < 0) l.underrun = true
      if (buffer >= AHEAD_SECONDS) l.pause()
      else l.resume()
      if (played >= playSeconds) finish(l, false)
    }

    const start = (l: Listener): void => {
      l.sentAt = performance.now()
      const req = request(options.url, { agent: false }, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          finish(l, true)
          return
        }
        l.pause = () => res.pause()
        l.resume = () => res.resume()
        res.on('data', (chunk: Buffer) => { l.bytes += chunk.length })
        res.on('error', () => finish(l, true))
        res.on('end', () => finish(l, l.playingAt === null))
      })
      req.on('error', () => finish(l, true))
      req.end()
      l.req = req
    }

    for (let i = 0; i < count; i++) {
      const l: Listener = { sentAt: 0, bytes: 0, playingAt: null, underrun: false, done: false, failed: false, minBuffer: Infinity, req: null, pause: () => {}, resume: () => {} }
      all.push(l)
      setTimeout(() => start(l), (i * rampSeconds * 1000) / count)
    }
    ticker = setInterval(() => {
      setImmediate(() => {
        const now = performance.now()
        for (const l of all) if (l.req !== null) judge(l, now)
      })
    }, TICK_MS)
  })
  await finished
  clearInterval(ticker)
  const started = all.filter((l) => l.playingAt !== null).map((l) => ((l.playingAt ?? 0) - l.sentAt) / 1000).sort((a, b) => a - b)
  return {
    listeners: count,
    underruns: all.filter((l) => l.underrun).length,
    failed: all.filter((l) => l.failed).length,
    startP50: started.length === 0 ? NaN : started[Math.floor(started.length / 2)],
    startMax: started.length === 0 ? NaN : started[started.length - 1],
    minBuffer: Math.min(...all.map((l) => l.minBuffer))
  }
}
