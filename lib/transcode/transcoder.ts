// Runs ffmpeg: at most `max` processes at once, a short wait for a free one, and every process
// stopped (SIGTERM, then SIGKILL) when its listener goes away or the service shuts down, so no
// transcode outlives the request or the process that asked for it.
import { spawn, type ChildProcess } from 'node:child_process'
import type { Readable } from 'node:stream'
import { ffmpegArgs, SOURCE_FD, type TranscodeSpec } from './ffmpeg-args.js'
import { TARGET_FORMATS, TARGETS, type TargetFormat } from './formats.js'

// ffmpeg flushes and exits within milliseconds of SIGTERM; one that does not is killed.
const KILL_AFTER_MS = 1000
// Enough of ffmpeg's error output to say what went wrong with a file.
const STDERR_KEPT = 4096

// statusCode and expose: the errors plugin sends the message as it is (a capacity limit, not a fault).
export class TranscoderBusyError extends Error {
  readonly statusCode = 503
  readonly expose = true
  constructor (readonly retryAfterSeconds: number) {
    super('Every transcoder is busy: try again shortly')
    this.name = 'TranscoderBusyError'
  }
}

export class TranscoderMissingError extends Error {
  readonly statusCode = 503
  readonly expose = true
  constructor (format: TargetFormat) {
    super(`Transcoding to ${format} is not available on this server (ffmpeg or its ${TARGETS[format].encoder} encoder is missing); the original file can still be streamed`)
    this.name = 'TranscoderMissingError'
  }
}

export interface TranscodeExit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
  // Ended by stop() or close(): ffmpeg then exits with 255, which is no failure of the file.
  stopped: boolean
}

export interface RunningTranscode {
  output: Readable
  // Ends the process (idempotent); `exited` settles once it is gone.
  stop: () => void
  exited: Promise<TranscodeExit>
}

export interface TranscoderOptions {
  ffmpegPath: string
  max: number
  waitMs: number
}

interface Waiter { owner: string | null, resolve: () => void, reject: (err: Error) => void, timer: NodeJS.Timeout }

// Which targets this ffmpeg can encode; an empty set when there is no ffmpeg.
export async function probeEncoders (ffmpegPath: string): Promise<Set<TargetFormat>> {
  const listing = await new Promise<string>((resolve) => {
    let out = ''
    let child: ChildProcess
    try {
      child = spawn(ffmpegPath, ['-hide_banner', '-encoders'], { stdio: ['ignore', 'pipe', 'ignore'] })
    } catch {
      resolve('')
      return
    }
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
    child.once('error', () => resolve(''))
    child.once('close', (code) => resolve(code === 0 ? out : ''))
  })
  const names = new Set(listing.split('\n').map((line) => line.trim().split(/\s+/)[1]).filter(Boolean))
  return new Set(TARGET_FORMATS.filter((format) => names.has(TARGETS[format].encoder)))
}

// SIGTERM alone does not end an ffmpeg blocked writing to a full pipe (a listener that stopped
// reading): it only sets a flag, and the write goes on waiting, until SIGKILL a second later, with
// its slot held all that time. Closing our end of the pipe first fails that write at once.
function hangUp (child: ChildProcess, stopped: WeakSet<ChildProcess>): void {
  stopped.add(child)
  child.stdout?.destroy()
  child.kill('SIGTERM')
}

export class Transcoder {
  // Each running ffmpeg with the one way to end it.
  private readonly live = new Map<ChildProcess, () => void>()
  private readonly stopped = new WeakSet<ChildProcess>()
  private readonly waiters: Waiter[] = []
  private slotsTaken = 0
  // Slots held per user. A listener holds its slot for as long as it plays (ffmpeg waits on a
  // player reading at real time), so one account could otherwise hold every slot for hours.
  private readonly held = new Map<string, number>()
  private closing = false

  constructor (private readonly options: TranscoderOptions, private readonly encoders: ReadonlySet<TargetFormat>) {}

  get available (): boolean {
    return this.encoders.size > 0
  }

  get running (): number {
    return this.live.size
  }

  // Requests waiting for a free slot.
  get queued (): number {
    return this.waiters.length
  }

  get slots (): number {
    return this.options.max
  }

  // Starts ffmpeg on the open source descriptor (the caller keeps and closes its own copy).
  // `signal`: the listener went away; the wait ends with its reason and nothing is started.
  // `owner`: the user asking, who may hold all slots but one; null (an open service, the shared
  // API_KEY) is everyone at once and is not limited that way.
  async start (sourceFd: number, spec: TranscodeSpec, signal: AbortSignal = new AbortController().signal, owner: string | null = null): Promise<RunningTranscode> {
    if (!this.encoders.has(spec.format)) throw new TranscoderMissingError(spec.format)
    await this.slot(signal, owner)
    let child: ChildProcess
    try {
      // Gone between the slot being granted and this line running.
      signal.throwIfAborted()
      const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe']
      stdio[SOURCE_FD] = sourceFd
      child = spawn(this.options.ffmpegPath, ffmpegArgs(spec), { stdio })
    } catch (err) {
      this.release(owner)
      throw err
    }
    let stderr = ''
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < STDERR_KEPT) stderr += chunk.slice(0, STDERR_KEPT - stderr.length)
    })
    let killer: NodeJS.Timeout | undefined
    const exited = new Promise<TranscodeExit>((resolve) => {
      let settled = false
      const done = (code: number | null, signal: NodeJS.Signals | null, message?: string): void => {
        if (settled) return
        settled = true
        clearTimeout(killer)
        this.live.delete(child)
        this.release(owner)
        resolve({ code, signal, stderr: message ?? stderr.trim(), stopped: this.stopped.has(child) })
      }
      // 'error' without 'close' is a failed spawn (ffmpeg gone since the probe).
      child.once('error', (err) => { if (child.pid === undefined) done(null, null, err.message) })
      child.once('close', (code, signal) => done(code, signal))
    })
    const stop = (): void => {
      if (child.exitCode !== null || child.signalCode !== null || killer !== undefined) return
      hangUp(child, this.stopped)
      killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS)
    }
    this.live.set(child, stop)
    return { output: child.stdout as Readable, stop, exited }
  }

  // Stops every transcode and turns away the waiting ones; resolves when all processes are gone.
  async close (): Promise<void> {
    this.closing = true
    for (const waiter of this.waiters.splice(0)) {
      clearTimeout(waiter.timer)
      waiter.reject(new TranscoderBusyError(1))
    }
    const gone = [...this.live].map(async ([child, stop]) => await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return }
      child.once('close', () => resolve())
      stop()
    }))
    await Promise.all(gone)
  }

  private mayTake (owner: string | null): boolean {
    if (this.slotsTaken >= this.options.max) return false
    return owner === null || this.options.max === 1 || (this.held.get(owner) ?? 0) < this.options.max - 1
  }

  private take (owner: string | null): void {
    this.slotsTaken++
    if (owner !== null) this.held.set(owner, (this.held.get(owner) ?? 0) + 1)
  }

  private async slot (signal: AbortSignal, owner: string | null): Promise<void> {
    if (this.closing) throw new TranscoderBusyError(1)
    signal.throwIfAborted()
    // Every waiter that may take a slot got one when it was freed: none is passed over here.
    if (this.mayTake(owner)) {
      this.take(owner)
      return
    }
    await new Promise<void>((resolve, reject) => {
      const leave = (err: unknown): void => {
        const at = this.waiters.indexOf(waiter)
        if (at >= 0) this.waiters.splice(at, 1)
        clearTimeout(waiter.timer)
        reject(err)
      }
      const onAbort = (): void => leave(signal.reason)
      const waiter: Waiter = {
        owner,
        resolve: () => {
          signal.removeEventListener('abort', onAbort)
          resolve()
        },
        reject,
        timer: setTimeout(() => {
          signal.removeEventListener('abort', onAbort)
          leave(new TranscoderBusyError(this.retryAfter()))
        }, this.options.waitMs)
      }
      // A listener gone while it waited gives up its place: no ffmpeg is started for nobody.
      signal.addEventListener('abort', onAbort, { once: true })
      this.waiters.push(waiter)
    })
  }

  // A freed slot goes to the longest waiter that may take one.
  private release (owner: string | null): void {
    this.slotsTaken--
    if (owner !== null) {
      const left = (this.held.get(owner) ?? 1) - 1
      if (left === 0) this.held.delete(owner)
      else this.held.set(owner, left)
    }
    const next = this.waiters.find((waiter) => this.mayTake(waiter.owner))
    if (next === undefined) return
    this.waiters.splice(this.waiters.indexOf(next), 1)
    clearTimeout(next.timer)
    this.take(next.owner)
    next.resolve()
  }

  // Listeners hold a transcode for a whole track; a few seconds is a fair first retry.
  private retryAfter (): number {
    return Math.max(1, Math.ceil(this.options.waitMs / 1000) * 2)
  }
}
