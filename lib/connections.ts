// Rules that keep slow or greedy clients from holding sockets and descriptors: a watchdog that
// cuts responses whose bytes stopped moving, and a cap on open connections per client address.
import type { Socket } from 'node:net'

interface Progress {
  // Bytes whose writes have completed (handed to the kernel).
  flushed: number
  // Bytes of the write in progress that libuv has not handed over yet.
  queued: number
  // When progress was last seen while bytes were waiting; null while nothing waits.
  since: number | null
}

// libuv's count of bytes it still has to write for this socket. It falls as a large write goes
// out piece by piece, long before the write completes. Not a documented API: without it, only
// completed writes count as progress.
function libuvQueue (socket: Socket): number {
  const handle = (socket as unknown as { _handle?: { writeQueueSize?: unknown } | null })._handle
  return typeof handle?.writeQueueSize === 'number' ? handle.writeQueueSize : 0
}

// A socket with bytes waiting to be sent that has sent none of them for timeoutMs is stalled:
// its client stopped reading (or vanished without a word). A client that reads slowly but
// steadily keeps making progress and is left alone. Idle sockets (nothing waiting) are not its
// business: request and keep-alive timeouts cover those.
export class SendWatchdog {
  private readonly sockets = new Map<Socket, Progress>()
  private timer: NodeJS.Timeout | null = null

  constructor (private readonly timeoutMs: number, private readonly onStalled: (socket: Socket) => void) {}

  watch (socket: Socket): void {
    this.sockets.set(socket, { flushed: 0, queued: 0, since: null })
    socket.once('close', () => this.sockets.delete(socket))
    if (this.timer === null) {
      // Checked a few times per timeout: a stall is cut between timeoutMs and 1.25 × timeoutMs.
      this.timer = setInterval(() => this.check(Date.now()), Math.max(25, Math.min(1000, this.timeoutMs / 4)))
      this.timer.unref()
    }
  }

  get watched (): number {
    return this.sockets.size
  }

  check (now: number): void {
    for (const [socket, progress] of this.sockets) {
      const waiting = socket.writableLength
      if (waiting === 0 || socket.destroyed) {
        progress.since = null
        continue
      }
      const flushed = socket.bytesWritten - waiting
      const queued = libuvQueue(socket)
      if (progress.since === null || flushed !== progress.flushed || queued < progress.queued) {
        progress.since = now
      } else if (now - progress.since >= this.timeoutMs) {
        this.sockets.delete(socket)
        this.onStalled(socket)
        continue
      }
      progress.flushed = flushed
      progress.queued = queued
    }
  }

  stop (): void {
    if (this.timer !== null) clearInterval(this.timer)
    this.timer = null
    this.sockets.clear()
  }
}

// IPv4 clients of a dual-stack listener appear as ::ffff:a.b.c.d; they are the same client.
export function clientAddress (socket: Socket): string | null {
  const address = socket.remoteAddress
  if (address === undefined) return null
  return address.startsWith('::ffff:') ? address.slice(7) : address
}

// Open connections per client address; `admit` says whether one more is allowed and, if so,
// counts it until it closes. limit 0: no cap.
export class ConnectionCap {
  private readonly open = new Map<string, number>()

  constructor (private readonly limit: number) {}

  admit (socket: Socket): boolean {
    if (this.limit === 0) return true
    const address = clientAddress(socket)
    if (address === null) return false
    const count = this.open.get(address) ?? 0
    if (count >= this.limit) return false
    this.open.set(address, count + 1)
    socket.once('close', () => {
      const left = (this.open.get(address) ?? 1) - 1
      if (left <= 0) this.open.delete(address)
      else this.open.set(address, left)
    })
    return true
  }
}

interface Lane {
  busy: boolean
  waiting: Array<(go: boolean) => void>
}

// HTTP/1.1 lets a client send requests back to back before reading any answer. Node parses and
// dispatches them all at once and only queues their responses, so each would open its file and
// read ahead while nothing is sent, and the queued ones are never told when the client leaves.
// Here a connection has one request in hand at a time; the next waits for its turn, a client that
// leaves releases its waiters, and one that queues more than `maxQueued` is dropped.
export class PipelineGate {
  private readonly lanes = new WeakMap<Socket, Lane>()

  constructor (private readonly maxQueued: number) {}

  // Resolves true when the request may proceed, false when its connection is gone or too greedy.
  async enter (socket: Socket): Promise<boolean> {
    let lane = this.lanes.get(socket)
    if (lane === undefined) {
      const created: Lane = { busy: false, waiting: [] }
      this.lanes.set(socket, created)
      socket.once('close', () => {
        for (const wake of created.waiting.splice(0)) wake(false)
      })
      lane = created
    }
    if (socket.destroyed) return false
    if (!lane.busy) {
      lane.busy = true
      return true
    }
    if (lane.waiting.length >= this.maxQueued) return false
    const queue = lane.waiting
    return await new Promise((resolve) => queue.push(resolve))
  }

  leave (socket: Socket): void {
    const lane = this.lanes.get(socket)
    if (lane === undefined) return
    // A response ends with its connection, before the connection's own 'close' is heard.
    if (socket.destroyed) {
      for (const wake of lane.waiting.splice(0)) wake(false)
      return
    }
    const next = lane.waiting.shift()
    if (next === undefined) lane.busy = false
    else next(true)
  }
}
