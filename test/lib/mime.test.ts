import t from 'tap'
import { audioContentType } from '../../lib/mime.js'

t.test('audio content types', async (t) => {
  t.equal(audioContentType('a/b/Song.MP3'), 'audio/mpeg')
  t.equal(audioContentType('x.opus'), 'audio/opus')
  t.equal(audioContentType('x.m4b'), 'audio/mp4')
  t.equal(audioContentType('x.tar.gz'), 'application/octet-stream')
  t.equal(audioContentType('noext'), 'application/octet-stream')
})
