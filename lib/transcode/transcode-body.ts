// The body of a live transcode: ffmpeg's output, copied to the cache while it passes, held to an
// exact length when the client asked for one, and ended only once ffmpeg has exited well, so a
// transcode that fails half way ends the response as an error instead of a short clean file.
import { Transform, type TransformCallback } from 'node:stream'
import type { TranscodeExit } from './transcoder.js'
import type { CacheWriter } from './transcode-cache.js'

// The file is one ffmpeg cannot decode: the client is told so (the log has ffmpeg's words).
export class TranscodeFailedError extends Error {
  readonly statusCode = 500
  readonly expose = true
  constructor (readonly exit: TranscodeExit) {
    super('This track could not be transcoded; its original file may still play')
    this.name = 'TranscodeFailedError'
  }
}

export interface TranscodeBodyOptions {
  exited: Promise<TranscodeExit>
  cache: CacheWriter | null
  // Bytes promised in Content-Length (estimateContentLength); null: chunked, as long as it is.
  exactLength: number | null
}

// Silence-free filler after a short transcode: every target's decoder skips zero bytes while it
// looks for the next frame, then meets the end.
const ZEROES = Buffer.alloc(64 * 1024)
// A VBR encode of quiet music falls short of duration × bitrate by a few percent, rarely more
// than a megabyte. A shortfall past this means the indexed duration is wrong (a damaged header
// can claim years): the response is cut rather than filled with gigabytes of zeroes.
export const MAX_PADDING = 8 * 1024 * 1024

export class EstimateTooLongError extends Error {
  constructor (readonly missing: number) {
    super(`the transcode fell ${missing} bytes short of its estimated length: the indexed duration is wrong`)
    this.name = 'EstimateTooLongError'
  }
}

export class TranscodeBody extends Transform {
  private sent = 0
  // The whole output reached the cache and ffmpeg exited with 0.
  complete = false
  // true at ffmpeg's first bytes; false when it exited before writing any.
  readonly started: Promise<boolean>
  private start: (started: boolean) => void = () => {}

  constructor (private readonly options: TranscodeBodyOptions) {
    super()
    this.started = new Promise((resolve) => { this.start = resolve })
    options.exited.then((exit) => {
      this.start(false)
      // ffmpeg stopped (a shutdown, a listener gone) or failed: the body fails at once. Waiting
      // for the end of its output would wait for good when the client has stopped reading (a
      // paused player), holding the response, and the server's shutdown, open.
      if (exit.code !== 0) this.destroy(new TranscodeFailedError(exit))
    }, () => this.start(false))
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.start(true)
    this.options.cache?.stream.write(chunk)
    const { exactLength } = this.options
    if (exactLength === null) {
      this.sent += chunk.length
      done(null, chunk)
      return
    }
    const room = exactLength - this.sent
    if (room <= 0) {
      done()
      return
    }
    const part = chunk.length <= room ? chunk : chunk.subarray(0, room)
    this.sent += part.length
    done(null, part)
  }

  override _flush (done: TransformCallback): void {
    this.options.exited.then((exit) => {
      if (exit.code !== 0) {
        done(new TranscodeFailedError(exit))
        return
      }
      const missing = this.options.exactLength === null ? 0 : this.options.exactLength - this.sent
      if (missing > MAX_PADDING) {
        done(new EstimateTooLongError(missing))
        return
      }
      this.complete = true
      for (let left = missing; left > 0; left -= ZEROES.length) this.push(ZEROES.subarray(0, Math.min(ZEROES.length, left)))
      this.sent += Math.max(0, missing)
      done()
    }, done)
  }
}
