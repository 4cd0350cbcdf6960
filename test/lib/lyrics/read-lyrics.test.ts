import t from 'tap'
import { execFile } from 'node:child_process'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { parseFile } from 'music-metadata'
import { readLyrics } from '../../../lib/lyrics/read-lyrics.js'
import { PathGuard } from '../../../lib/path-guard.js'
import { SIDECAR_MAX_BYTES } from '../../../lib/lyrics/sidecar-lyrics.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const run = promisify(execFile)

// The lyrics of an audio file, its folder standing as the media root: the sidecar is opened
// through the path guard, as the service does.
async function lyricsOf (path: string): ReturnType<typeof readLyrics> {
  const guard = new PathGuard(dirname(path))
  return await readLyrics({ path, relativePath: basename(path) }, async (relative) => await guard.open(relative).catch(() => null))
}

const SYNCED_LRC = '[ar:Ann]\n[ti:Song]\n[offset:+100]\n[00:01.00][00:03.00]line one\n[00:02.50]line two'
const SYNCED_LINES = [{ startMs: 1000, text: 'line one' }, { startMs: 2500, text: 'line two' }, { startMs: 3000, text: 'line one' }]

// ffmpeg cannot write ID3 USLT or SYLT frames, so they are built here (ID3v2.4, UTF-8) and put in
// front of an MP3 that ffmpeg encoded without a tag.
function syncsafe (n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
}

function frame (id: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(id, 'latin1'), syncsafe(body.length), Buffer.alloc(2), body])
}

function uslt (language: string, text: string): Buffer {
  return frame('USLT', Buffer.concat([Buffer.from([3]), Buffer.from(language, 'latin1'), Buffer.from([0]), Buffer.from(text, 'utf8')]))
}

function sylt (language: string, timeStampFormat: number, contentType: number, entries: Array<[string, number]>): Buffer {
  const parts = [Buffer.from([3]), Buffer.from(language, 'latin1'), Buffer.from([timeStampFormat, contentType, 0])]
  for (const [text, timestamp] of entries) {
    const time = Buffer.alloc(4)
    time.writeUInt32BE(timestamp)
    parts.push(Buffer.from(text, 'utf8'), Buffer.from([0]), time)
  }
  return frame('SYLT', Buffer.concat(parts))
}

async function mp3WithFrames (dir: string, name: string, frames: Buffer[]): Promise<string> {
  const bare = join(dir, `${name}.bare.mp3`)
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=duration=1', '-c:a', 'libmp3lame', '-write_id3v2', '0', bare])
  const body = Buffer.concat(frames)
  const header = Buffer.concat([Buffer.from('ID3', 'latin1'), Buffer.from([4, 0, 0]), syncsafe(body.length)])
  const path = join(dir, `${name}.mp3`)
  await writeFile(path, Buffer.concat([header, body, await readFile(bare)]))
  return path
}

async function nativeValue (path: string, tagType: string, id: string): Promise<unknown> {
  const { native } = await parseFile(path, { skipCovers: true, duration: false })
  return native[tagType]?.find((tag) => tag.id === id)?.value
}

t.test('ffmpeg MP3 lyrics keys: plain "lyrics" and a language-suffixed one', async (t) => {
  const dir = await tempDir(t)
  const plain = await writeAudioFixture(dir, 'mp3', { name: 'plain', tags: { extra: { lyrics: 'line one\nline two' } } })
  const english = await writeAudioFixture(dir, 'mp3', { name: 'english', tags: { extra: { 'lyrics-eng': 'line one\nline two' } } })
  // What ffmpeg actually writes: user-defined text frames, not USLT.
  t.equal(await nativeValue(plain, 'ID3v2.3', 'TXXX:USLT'), 'line one\nline two')
  t.equal(await nativeValue(english, 'ID3v2.3', 'TXXX:lyrics-eng'), 'line one\nline two')
  t.same(await lyricsOf(plain), [{ lang: 'xxx', synced: false, offsetMs: 0, lines: [{ text: 'line one' }, { text: 'line two' }] }])
  t.same(await lyricsOf(english), [{ lang: 'eng', synced: false, offsetMs: 0, lines: [{ text: 'line one' }, { text: 'line two' }] }])
})

t.test('ID3 USLT holding LRC text and SYLT in milliseconds', async (t) => {
  const dir = await tempDir(t)
  const path = await mp3WithFrames(dir, 'frames', [
    uslt('eng', SYNCED_LRC),
    sylt('deu', 2, 1, [['zwei', 2000], ['eins', 1000]]),
    // Chords are not lyrics.
    sylt('XXX', 2, 5, [['Am', 0]])
  ])
  const metadata = await parseFile(path, { skipCovers: true, duration: false })
  t.match(metadata.common.lyrics, [
    { language: 'eng', text: SYNCED_LRC },
    { language: 'deu', timeStampFormat: 2, contentType: 1, syncText: [{ text: 'zwei', timestamp: 2000 }, { text: 'eins', timestamp: 1000 }] },
    { language: 'XXX', contentType: 5 }
  ], 'music-metadata reads the frames as built')
  t.same(await lyricsOf(path), [
    { lang: 'eng', synced: true, offsetMs: 100, lines: SYNCED_LINES, displayArtist: 'Ann', displayTitle: 'Song' },
    { lang: 'deu', synced: true, offsetMs: 0, lines: [{ startMs: 1000, text: 'eins' }, { startMs: 2000, text: 'zwei' }] }
  ])
})

t.test('SYLT timed by MPEG frame numbers reads as unsynced lines', async (t) => {
  const dir = await tempDir(t)
  const path = await mp3WithFrames(dir, 'frame-numbers', [sylt('XXX', 1, 1, [['first', 10], ['second', 40]])])
  t.same(await lyricsOf(path), [{ lang: 'xxx', synced: false, offsetMs: 0, lines: [{ text: 'first' }, { text: 'second' }] }])
})

t.test('FLAC LYRICS comment holding LRC text is synced, with every timestamp and the ID tags kept', async (t) => {
  const dir = await tempDir(t)
  const path = await writeAudioFixture(dir, 'flac', { name: 'synced', tags: { extra: { LYRICS: SYNCED_LRC } } })
  t.equal(await nativeValue(path, 'vorbis', 'LYRICS'), SYNCED_LRC, 'ffmpeg writes the text verbatim')
  t.same(await lyricsOf(path), [{ lang: 'xxx', synced: true, offsetMs: 100, lines: SYNCED_LINES, displayArtist: 'Ann', displayTitle: 'Song' }])
})

t.test('WavPack APEv2 Lyrics item', async (t) => {
  const dir = await tempDir(t)
  const path = await writeAudioFixture(dir, 'wv', { name: 'wv', tags: { extra: { Lyrics: '[00:00.50]ape words' } } })
  t.equal(await nativeValue(path, 'APEv2', 'Lyrics'), '[00:00.50]ape words')
  t.same(await lyricsOf(path), [{ lang: 'xxx', synced: true, offsetMs: 0, lines: [{ startMs: 500, text: 'ape words' }] }])
})

t.test('M4A lyrics atom', async (t) => {
  const dir = await tempDir(t)
  const path = await writeAudioFixture(dir, 'm4a', { name: 'm4a', tags: { extra: { lyrics: '[la:fr]\nun\ndeux' } } })
  t.equal(await nativeValue(path, 'iTunes', '©lyr'), '[la:fr]\nun\ndeux')
  t.same(await lyricsOf(path), [{ lang: 'fr', synced: false, offsetMs: 0, lines: [{ text: 'un' }, { text: 'deux' }] }])
})

t.test('a sidecar .lrc beside the file: BOM, CRLF, and either case of extension', async (t) => {
  const dir = await tempDir(t)
  const lower = await writeAudioFixture(dir, 'flac', { name: 'Song' })
  await writeFile(join(dir, 'Song.lrc'), '\uFEFF' + SYNCED_LRC.replaceAll('\n', '\r\n'))
  t.same(await lyricsOf(lower), [{ lang: 'xxx', synced: true, offsetMs: 100, lines: SYNCED_LINES, displayArtist: 'Ann', displayTitle: 'Song' }])

  const upper = await writeAudioFixture(dir, 'mp3', { name: 'Other.Song' })
  await writeFile(join(dir, 'Other.Song.LRC'), 'plain words')
  t.same(await lyricsOf(upper), [{ lang: 'xxx', synced: false, offsetMs: 0, lines: [{ text: 'plain words' }] }])
})

t.test('embedded lyrics come first; the same lyrics in the sidecar are not listed twice', async (t) => {
  const dir = await tempDir(t)
  const same = await writeAudioFixture(dir, 'flac', { name: 'same', tags: { extra: { LYRICS: SYNCED_LRC } } })
  await writeFile(join(dir, 'same.lrc'), SYNCED_LRC + '\n[la:en]')
  t.same(await lyricsOf(same), [{ lang: 'xxx', synced: true, offsetMs: 100, lines: SYNCED_LINES, displayArtist: 'Ann', displayTitle: 'Song' }])

  const different = await writeAudioFixture(dir, 'flac', { name: 'different', tags: { extra: { LYRICS: 'embedded words' } } })
  await writeFile(join(dir, 'different.lrc'), '[00:01.00]sidecar words')
  t.same((await lyricsOf(different)).map((l) => l.lines[0].text), ['embedded words', 'sidecar words'])
})

t.test('a file without lyrics, or with lyrics tags holding only blanks, has none', async (t) => {
  const dir = await tempDir(t)
  t.same(await lyricsOf(await writeAudioFixture(dir, 'mp3', { name: 'bare' })), [])
  t.same(await lyricsOf(await writeAudioFixture(dir, 'flac', { name: 'blank', tags: { extra: { LYRICS: ' \n ' } } })), [])
})

t.test('a sidecar over the cap, or one that cannot be read, is ignored', async (t) => {
  const dir = await tempDir(t)
  const big = await writeAudioFixture(dir, 'mp3', { name: 'big' })
  await writeFile(join(dir, 'big.lrc'), '[00:01.00]words\n'.padEnd(SIDECAR_MAX_BYTES + 1, 'x'))
  t.same(await lyricsOf(big), [])
  await writeFile(join(dir, 'big.lrc'), '[00:01.00]words\n'.padEnd(SIDECAR_MAX_BYTES, 'x'))
  t.equal((await lyricsOf(big)).length, 1, 'a sidecar of exactly the cap is read')

  const folder = await writeAudioFixture(dir, 'mp3', { name: 'folder' })
  await mkdir(join(dir, 'folder.lrc'))
  t.same(await lyricsOf(folder), [])

  const loop = await writeAudioFixture(dir, 'mp3', { name: 'loop' })
  await symlink('loop.lrc', join(dir, 'loop.lrc'))
  t.same(await lyricsOf(loop), [], 'a sidecar that fails to open (ELOOP)')
})

t.test('a file music-metadata rejects has no embedded lyrics but its sidecar is still read', async (t) => {
  const dir = await tempDir(t)
  // An MP4 atom claiming more bytes than the file holds.
  await writeFile(join(dir, 'broken.m4a'), Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.alloc(40, 0xff)]))
  await writeFile(join(dir, 'broken.lrc'), 'still here')
  await t.rejects(parseFile(join(dir, 'broken.m4a')), 'music-metadata throws on it')
  t.same(await lyricsOf(join(dir, 'broken.m4a')), [{ lang: 'xxx', synced: false, offsetMs: 0, lines: [{ text: 'still here' }] }])
  await writeFile(join(dir, 'notes.txt'), 'not audio at all')
  t.same(await lyricsOf(join(dir, 'notes.txt')), [])
  await writeFile(join(dir, 'garbage.mp3'), Buffer.alloc(4096, 7))
  t.same(await lyricsOf(join(dir, 'garbage.mp3')), [])
})

t.test('an audio path that cannot be opened rejects with the system error', async (t) => {
  const dir = await tempDir(t)
  await writeFile(join(dir, 'missing.lrc'), 'orphaned sidecar')
  await t.rejects(lyricsOf(join(dir, 'missing.mp3')), { code: 'ENOENT' })
  await mkdir(join(dir, 'folder.flac'))
  await t.rejects(lyricsOf(join(dir, 'folder.flac')), { code: 'EISDIR' })
})

t.test('a sidecar is read only as the path guard allows: no links out of the root, no FIFOs', async (t) => {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  await writeFile(join(outside, 'secret.txt'), 'snt_not_for_you')
  const linked = await writeAudioFixture(root, 'mp3', { name: 'linked' })
  await symlink(join(outside, 'secret.txt'), join(root, 'linked.lrc'))
  t.same(await lyricsOf(linked), [], 'a sidecar linking out of the media root is not read')

  const piped = await writeAudioFixture(root, 'mp3', { name: 'piped' })
  await run('mkfifo', [join(root, 'piped.lrc')])
  const answer = await Promise.race([lyricsOf(piped), new Promise((resolve) => setTimeout(() => resolve('hung'), 5000))])
  t.same(answer, [], 'a FIFO named like a sidecar neither hangs nor reads')

  await mkdir(join(root, 'sub'))
  await writeFile(join(root, 'sub', 'inside.lrc'), 'inside words')
  await symlink(join(root, 'sub', 'inside.lrc'), join(root, 'kept.lrc'))
  const kept = await writeAudioFixture(root, 'mp3', { name: 'kept' })
  t.same((await lyricsOf(kept)).map((l) => l.lines[0].text), ['inside words'], 'a link that stays inside the root is followed')
})
