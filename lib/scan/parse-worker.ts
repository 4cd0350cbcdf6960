// Worker thread body: parses the files it is sent, a few at a time, and posts the outcomes back.
import { parentPort } from 'node:worker_threads'
import { join } from 'node:path'
import { parseAudio, type ParseOutcome } from './parse.js'

interface Request { id: number, root: string, paths: string[], coverArtSizeLimit?: number }

const IN_FLIGHT = 4

parentPort?.on('message', (request: Request) => {
  const outcomes: ParseOutcome[] = new Array(request.paths.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < request.paths.length) {
      const i = next++
      outcomes[i] = await parseAudio(join(request.root, request.paths[i]), request.paths[i], request.coverArtSizeLimit ?? 0)
    }
  }
  Promise.all(Array.from({ length: IN_FLIGHT }, lane)).then(
    () => parentPort?.postMessage({ id: request.id, outcomes }),
    (err: unknown) => parentPort?.postMessage({ id: request.id, error: String(err) })
  )
})
