// The body of a live transcode held to an estimated length: padded when ffmpeg falls a little
// short, cut when it makes more, and never filled with gigabytes of zeroes when the indexed
// duration is wrong (a damaged header once made the padding take the process down).
import t from 'tap'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { EstimateTooLongError, MAX_PADDING, TranscodeBody } from '../../../lib/transcode/transcode-body.js'
import type { TranscodeExit } from '../../../lib/transcode/transcoder.js'

const OK: TranscodeExit = { code: 0, signal: null, stderr: '', stopped: false }

async function collect (output: Buffer, exactLength: number | null): Promise<{ body: Buffer, complete: boolean }> {
  const body = new TranscodeBody({ exited: Promise.resolve(OK), cache: null, exactLength })
  const chunks: Buffer[] = []
  await pipeline(Readable.from([output]), body, async function * (source) {
    for await (const chunk of source) chunks.push(chunk as Buffer)
  })
  return { body: Buffer.concat(chunks), complete: body.complete }
}

t.test('as long as ffmpeg made it without an estimate', async (t) => {
  const { body, complete } = await collect(Buffer.alloc(1000, 1), null)
  t.equal(body.length, 1000)
  t.ok(complete)
})

t.test('padded with zeroes up to the estimate, or cut to it', async (t) => {
  const short = await collect(Buffer.alloc(1000, 1), 1500)
  t.equal(short.body.length, 1500)
  t.same(short.body.subarray(1000), Buffer.alloc(500))
  const long = await collect(Buffer.alloc(1000, 1), 600)
  t.equal(long.body.length, 600)
})

t.test('a shortfall beyond the padding limit fails the body instead of filling memory', async (t) => {
  const before = process.memoryUsage().arrayBuffers
  await t.rejects(collect(Buffer.alloc(1000, 1), 1_236_950_576_640), EstimateTooLongError)
  t.ok(process.memoryUsage().arrayBuffers - before < 4 * MAX_PADDING, 'no runaway allocation')
  const edge = await collect(Buffer.alloc(1000, 1), 1000 + MAX_PADDING)
  t.equal(edge.body.length, 1000 + MAX_PADDING, 'up to the limit it is still padded')
})
