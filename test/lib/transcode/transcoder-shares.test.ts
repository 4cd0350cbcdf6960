// One user may hold every transcoder but one: a listener holds its slot for as long as it plays,
// so without a share one account could lock everyone else out for hours (found by the outside
// attack). An open service or the shared API_KEY (owner null) is everyone and is not limited.
import t from 'tap'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transcoder, TranscoderBusyError, type RunningTranscode } from '../../../lib/transcode/transcoder.js'
import { tempDir } from '../../helper.js'

const SPEC = { format: 'opus' as const, bitrate: 64, offset: 0, channels: 2 }

// Stands in for ffmpeg: a process that lives until it is stopped.
async function fakeFfmpeg (t: Parameters<typeof tempDir>[0]): Promise<string> {
  const path = join(await tempDir(t, 'sonantica-fake-ffmpeg-'), 'ffmpeg')
  await writeFile(path, '#!/bin/sh\nexec sleep 30\n')
  await chmod(path, 0o755)
  return path
}

t.test('a user holds at most all slots but one; others and open callers still get theirs', async (t) => {
  const transcoder = new Transcoder({ ffmpegPath: await fakeFfmpeg(t), max: 3, waitMs: 200 }, new Set(['opus']))
  t.teardown(async () => { await transcoder.close() })
  const runs: RunningTranscode[] = []
  runs.push(await transcoder.start(0, SPEC, undefined, 'ana'))
  runs.push(await transcoder.start(0, SPEC, undefined, 'ana'))
  await t.rejects(transcoder.start(0, SPEC, undefined, 'ana'), TranscoderBusyError, 'a third for ana waits, then is refused')
  runs.push(await transcoder.start(0, SPEC, undefined, 'bo'))
  t.equal(transcoder.running, 3)
  await t.rejects(transcoder.start(0, SPEC, undefined, 'bo'), TranscoderBusyError, 'all slots taken')

  // ana waits; a slot freed by bo goes to her only if she is under her share: it is not, so it
  // goes to the next waiter who is.
  const anaWaits = transcoder.start(0, SPEC, undefined, 'ana')
  const cyWaits = transcoder.start(0, SPEC, undefined, 'cy')
  runs[2].stop()
  const cy = await cyWaits
  t.pass('the freed slot went to cy, past ana at her share')
  runs[0].stop()
  const ana = await anaWaits
  t.pass('ana got one back when one of hers ended')
  for (const run of [runs[1], cy, ana]) run.stop()
  await Promise.all([runs[1], cy, ana].map(async (r) => await r.exited))
  t.equal(transcoder.running, 0)
})

t.test('owner null (an open service, the shared key) may take every slot', async (t) => {
  const transcoder = new Transcoder({ ffmpegPath: await fakeFfmpeg(t), max: 2, waitMs: 100 }, new Set(['opus']))
  t.teardown(async () => { await transcoder.close() })
  const a = await transcoder.start(0, SPEC)
  const b = await transcoder.start(0, SPEC)
  t.equal(transcoder.running, 2)
  a.stop()
  b.stop()
  await Promise.all([a.exited, b.exited])
})

t.test('with one slot, its one user may take it', async (t) => {
  const transcoder = new Transcoder({ ffmpegPath: await fakeFfmpeg(t), max: 1, waitMs: 100 }, new Set(['opus']))
  t.teardown(async () => { await transcoder.close() })
  const a = await transcoder.start(0, SPEC, undefined, 'ana')
  a.stop()
  await a.exited
})
