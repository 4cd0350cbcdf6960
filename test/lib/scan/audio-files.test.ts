import t from 'tap'
import { AUDIO_EXTENSIONS, VIDEO_CAPABLE, isAudioPath } from '../../../lib/scan/audio-files.js'
import { audioContentType } from '../../../lib/mime.js'

// Written out rather than derived: adding a content type must not silently change what a scan
// indexes, and dropping one must not leave indexed tracks streamed as octet-stream.
const SCANNED = [
  'mp3', 'mp2', 'mp1', 'aac', 'm4a', 'm4b', 'mp4', 'flac', 'ogg', 'oga', 'opus', 'spx', 'wav', 'bwf',
  'aif', 'aiff', 'aifc', 'wma', 'asf', 'ape', 'wv', 'mpc', 'dsf', 'dff', 'mka', 'webm', 'weba'
]

t.test('the scanner indexes exactly the containers it always has', async (t) => {
  t.same([...AUDIO_EXTENSIONS].sort(), [...SCANNED].sort())
})

t.test('every extension the scanner indexes is streamed with an audio content type', async (t) => {
  for (const ext of AUDIO_EXTENSIONS) {
    const path = `Artist/Album/01 Track.${ext.toUpperCase()}`
    t.ok(isAudioPath(path), `${path} is scanned`)
    t.match(audioContentType(path), /^audio\/[a-z0-9.+-]+$/, `${path} has an audio content type`)
  }
})

t.test('video-capable containers are among the scanned ones', async (t) => {
  for (const ext of VIDEO_CAPABLE) t.ok(AUDIO_EXTENSIONS.has(ext), ext)
})

t.test('a name that is not a scanned extension is neither scanned nor typed as audio', async (t) => {
  for (const path of ['a/notes.txt', 'a/cover.jpg', 'a/.flac', 'a/x.constructor', 'a/x.toString', 'noext']) {
    t.notOk(isAudioPath(path), `${path} is not scanned`)
    t.equal(audioContentType(path), 'application/octet-stream', `${path} is octet-stream`)
  }
})
