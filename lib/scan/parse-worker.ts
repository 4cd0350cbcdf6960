// Worker thread body: parses the files it is sent, a few at a time, and posts the outcomes back.
import { parentPort } from 'node:worker_threads'
import { join } from 'node:path'
import { parseAudio } from './parse.js'
import { mapInLanes } from '../lanes.js'

interface Request { id: number, root: string, paths: string[], coverArtSizeLimit?: number }

const IN_FLIGHT = 4

parentPort?.on('message', (request: Request) => {
  mapInLanes(request.paths, IN_FLIGHT, async (path) => await parseAudio(join(request.root, path), path, request.coverArtSizeLimit ?? 0)).then(
    (outcomes) => parentPort?.postMessage({ id: request.id, outcomes }),
    (err: unknown) => parentPort?.postMessage({ id: request.id, error: String(err) })
  )
})
