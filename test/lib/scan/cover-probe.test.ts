import t, { type Test } from 'tap'
import { join } from 'node:path'
import { readFile, writeFile } from 'node:fs/promises'
import { parseFile, selectCover } from 'music-metadata'
import { parseAudio, type ParseOutcome } from '../../../lib/scan/parse.js'
import { createParsePool } from '../../../lib/scan/parse-pool.js'
import { normaliseTags } from '../../../lib/scan/tags.js'
import { contentKeyOf } from '../../../lib/scan/content-key.js'
import { CachedFileTokenizer } from '../../../lib/scan/cached-file-tokenizer.js'
import { probeCovers, type CoverProbe } from '../../../lib/scan/cover-probe.js'
import { encodeAudio } from '../../fixtures/audio.js'
import { tempDir } from '../../helper.js'

const syncsafe = (n: number): Buffer => Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])

function frame (id: string, body: Buffer, major: 3 | 4): Buffer {
  const header = Buffer.alloc(10)
  header.write(id, 0, 'latin1')
  if (major === 4) syncsafe(body.length).copy(header, 4)
  else header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}

// An APIC frame with a UTF-16 description, as taggers write one.
function apic (type: number, description: string, bytes: number): Buffer {
  return Buffer.concat([Buffer.from([1]), Buffer.from('image/jpeg\0', 'latin1'), Buffer.from([type, 0xff, 0xfe]),
    Buffer.from(`${description}\0`, 'utf16le'), Buffer.alloc(bytes, 0xab)])
}

function id3 (major: 3 | 4, frames: Buffer[], flags = 0): Buffer {
  const body = Buffer.concat([...frames, Buffer.alloc(64)])
  return Buffer.concat([Buffer.from([0x49, 0x44, 0x33, major, 0, flags]), syncsafe(body.length), body])
}

function stripId3 (file: Buffer): Buffer {
  if (file.subarray(0, 3).toString('latin1') !== 'ID3') return file
  return file.subarray(10 + ((file[6] << 21) | (file[7] << 14) | (file[8] << 7) | file[9]))
}

const text = (id: string, value: string, major: 3 | 4): Buffer => frame(id, Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(value, 'utf16le')]), major)

// What the scanner stored before covers were probed: music-metadata decodes them, the cover
// service's pick (selectCover) decides against the size limit.
async function decoded (path: string, rel: string, limit: number): Promise<ParseOutcome> {
  const metadata = await parseFile(path, { skipCovers: false, duration: false })
  const tags = normaliseTags(metadata, rel)
  if (tags.hasCover && limit > 0) {
    const picture = selectCover(metadata.common.picture)
    tags.hasCover = picture !== null && picture.data.length <= limit
  }
  return { kind: 'track', tags, contentKey: await contentKeyOf(path) }
}

t.test('probed covers give the same tracks as decoded ones, on the main thread and in parse threads', async (t) => {
  const root = await tempDir(t)
  const audio = stripId3(await readFile(await encodeAudio('mp3', { seconds: 1 })))
  const files: Record<string, Buffer> = {
    // The back cover first: it is the one the cover service picks, and it is over the limit below.
    'two-pictures-v23.mp3': Buffer.concat([id3(3, [text('TIT2', 'Two', 3), frame('APIC', apic(4, 'back', 120_000), 3), frame('APIC', apic(3, 'front', 2_000), 3)]), audio]),
    'one-picture-v24.mp3': Buffer.concat([id3(4, [frame('APIC', apic(3, 'Cover (front) – été', 300_000), 4), text('TIT2', 'Vingt-quatre', 4)]), audio]),
    'no-picture.mp3': Buffer.concat([id3(3, [text('TIT2', 'Bare', 3)]), audio]),
    'covered.flac': await readFile(await encodeAudio('flac', { seconds: 1, cover: true, tags: { title: 'Flac' } })),
    'bare.flac': await readFile(await encodeAudio('flac', { seconds: 1, tags: { title: 'Bare Flac' } })),
    'covered.m4a': await readFile(await encodeAudio('m4a', { seconds: 1, cover: true, tags: { title: 'M4a' } }))
  }
  for (const [name, bytes] of Object.entries(files)) await writeFile(join(root, name), bytes)
  const names = Object.keys(files)

  for (const name of ['two-pictures-v23.mp3', 'one-picture-v24.mp3', 'covered.flac']) {
    const tokenizer = await CachedFileTokenizer.open(join(root, name), false)
    const probe = await probeCovers(tokenizer, name.slice(name.lastIndexOf('.') + 1))
    await tokenizer.close()
    const pictures = (await parseFile(join(root, name))).common.picture?.map((p) => p.data.length)
    t.same(probe?.pictures, pictures, `${name}: the probe finds the pictures music-metadata decodes, in order`)
  }

  const pool = createParsePool(2)
  t.teardown(() => pool.close())
  for (const limit of [0, 100_000, 1_000_000]) {
    const threaded = await pool.parse(root, names.map((path) => ({ path, size: 0, mtimeMs: 0 })), { coverArtSizeLimit: limit })
    for (const [i, name] of names.entries()) {
      const expected = await decoded(join(root, name), name, limit)
      t.same(await parseAudio(join(root, name), name, limit), expected, `${name}, limit ${limit}, main thread`)
      t.same(threaded[i], expected, `${name}, limit ${limit}, parse thread`)
    }
  }
})

t.test('layouts the probe does not read are parsed with their covers', async (t) => {
  const root = await tempDir(t)
  const audio = stripId3(await readFile(await encodeAudio('mp3', { seconds: 1 })))
  const cases: Record<string, Buffer> = {
    // Unsynchronisation changes where the frames lie.
    'unsynchronised.mp3': Buffer.concat([id3(3, [text('TIT2', 'U', 3), frame('APIC', apic(3, '', 500), 3)], 0x80), audio]),
    // A second tag after the first is parsed by music-metadata too.
    'two-tags.mp3': Buffer.concat([id3(3, [text('TIT2', 'First', 3)]), id3(3, [frame('APIC', apic(3, '', 500), 3)]), audio])
  }
  for (const [name, bytes] of Object.entries(cases)) {
    const path = join(root, name)
    await writeFile(path, bytes)
    const tokenizer = await CachedFileTokenizer.open(path, false)
    t.equal(await probeCovers(tokenizer, 'mp3'), null, `${name}: not probed`)
    await tokenizer.close()
    t.same(await parseAudio(path, name, 0), await decoded(path, name, 0), `${name}: as decoded`)
  }
})

// FLAC metadata blocks as [type, body], and back into a file with the last block flagged.
function flacBlocks (file: Buffer): { blocks: Array<[number, Buffer]>, audio: Buffer } {
  const blocks: Array<[number, Buffer]> = []
  let pos = 4
  for (;;) {
    const last = (file[pos] & 0x80) !== 0
    const length = file.readUIntBE(pos + 1, 3)
    blocks.push([file[pos] & 0x7f, file.subarray(pos + 4, pos + 4 + length)])
    pos += 4 + length
    if (last) return { blocks, audio: file.subarray(pos) }
  }
}
function flacFile (blocks: Array<[number, Buffer]>, audio: Buffer): Buffer {
  const parts = blocks.map(([type, body], i) => {
    const header = Buffer.alloc(4)
    header[0] = type | (i === blocks.length - 1 ? 0x80 : 0)
    header.writeUIntBE(body.length, 1, 3)
    return Buffer.concat([header, body])
  })
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), ...parts, audio])
}
function vorbisComments (comments: string[]): Buffer {
  const vendor = Buffer.from('test', 'utf8')
  const parts = [Buffer.alloc(4), vendor, Buffer.alloc(4)]
  parts[0].writeUInt32LE(vendor.length)
  parts[2].writeUInt32LE(comments.length)
  for (const c of comments) {
    const bytes = Buffer.from(c, 'utf8')
    const length = Buffer.alloc(4)
    length.writeUInt32LE(bytes.length)
    parts.push(length, bytes)
  }
  return Buffer.concat(parts)
}

t.test('a FLAC whose comments hold long lyrics is probed like any other', async (t) => {
  const root = await tempDir(t)
  const { blocks, audio } = flacBlocks(await readFile(await encodeAudio('flac', { seconds: 1, cover: true, tags: { title: 'Long' } })))
  // Hundreds of KB in one comment block: more characters than a function call takes as arguments.
  const lyrics = `LYRICS=${'la la la, '.repeat(40_000)}`
  const withLyrics = blocks.map(([type, body]): [number, Buffer] => type === 4 ? [4, vorbisComments(['TITLE=Long', lyrics])] : [type, body])
  const path = join(root, 'lyrics.flac')
  await writeFile(path, flacFile(withLyrics, audio))
  const tokenizer = await CachedFileTokenizer.open(path, false)
  const probe = await probeCovers(tokenizer, 'flac')
  await tokenizer.close()
  t.same(probe?.pictures, (await parseFile(path)).common.picture?.map((p) => p.data.length), 'the picture is found past the comments')
  t.same(await parseAudio(path, 'lyrics.flac', 0), await decoded(path, 'lyrics.flac', 0), 'the track is as decoded')
})

// What the probe answers for a file, and whether the track is as decoded.
async function probeAndCompare (t: Test, path: string, name: string, extension: string): Promise<CoverProbe | null> {
  const tokenizer = await CachedFileTokenizer.open(path, false)
  const probe = await probeCovers(tokenizer, extension)
  await tokenizer.close()
  t.same(await parseAudio(path, name, 0), await decoded(path, name, 0), `${name}: as decoded`)
  return probe
}

t.test('pictures music-metadata drops or may not find are parsed with their covers', async (t) => {
  const root = await tempDir(t)
  const audio = stripId3(await readFile(await encodeAudio('mp3', { seconds: 1 })))
  const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1')
  const tiny = (n: number, body: Buffer, major: 3 | 4): Buffer[] => Array.from({ length: n }, () => frame('APIC', body, major))
  const cases: Record<string, Buffer> = {
    // No bytes after the description: music-metadata finds no picture.
    'empty-data-v23.mp3': Buffer.concat([id3(3, [frame('APIC', latin1('\0image/jpeg\0\x03\0'), 3)]), audio]),
    'empty-data-v24.mp3': Buffer.concat([id3(4, [frame('APIC', latin1('\0image/jpeg\0\x03\0'), 4)]), audio]),
    // No MIME type: music-metadata keeps the picture only if it can tell its format from the bytes.
    'empty-mime.mp3': Buffer.concat([id3(3, [frame('APIC', latin1('\0\0\x03\0X'), 3)]), audio]),
    'many-empty-v23.mp3': Buffer.concat([id3(3, tiny(10_000, latin1('\0image/jpeg\0\x03\0'), 3)), audio]),
    'many-empty-v24.mp3': Buffer.concat([id3(4, tiny(10_000, latin1('\0image/jpeg\0\x03\0'), 4)), audio]),
    'many-empty-mime-v23.mp3': Buffer.concat([id3(3, tiny(10_000, latin1('\0\0\x03\0X'), 3)), audio]),
    'many-empty-mime-v24.mp3': Buffer.concat([id3(4, tiny(10_000, latin1('\0\0\x03\0X'), 4)), audio]),
    // A frame after zero bytes: music-metadata does not stop at them and finds the picture.
    'after-zeros.mp3': Buffer.concat([id3(3, [text('TIT2', 'Z', 3), Buffer.alloc(20), frame('APIC', apic(3, '', 500), 3)]), audio])
  }
  for (const [name, bytes] of Object.entries(cases)) {
    const path = join(root, name)
    await writeFile(path, bytes)
    t.equal(await probeAndCompare(t, path, name, 'mp3'), null, `${name}: not probed`)
  }

  // Tiny pictures with data are probed, and answer as decoded.
  for (const major of [3, 4] as const) {
    const name = `many-tiny-v2${major}.mp3`
    const path = join(root, name)
    await writeFile(path, Buffer.concat([id3(major, tiny(10_000, latin1('\0image/jpeg\0\x03\0X'), major)), audio]))
    const probe = await probeAndCompare(t, path, name, 'mp3')
    t.same(probe?.pictures, (await parseFile(path)).common.picture?.map((p) => p.data.length), `${name}: the pictures music-metadata decodes`)
  }
})

t.test('a FLAC picture block past the end of the file is parsed with its covers', async (t) => {
  const root = await tempDir(t)
  const { blocks, audio } = flacBlocks(await readFile(await encodeAudio('flac', { seconds: 1, cover: true, tags: { title: 'Cut' } })))
  const picture = blocks.find(([type]) => type === 6)
  if (picture === undefined) throw new Error('no picture block')
  const rest = blocks.filter(([type]) => type !== 6)
  const whole = flacFile([...rest, picture], audio)
  // The last block claims 0xFFFFFF bytes; the file ends inside the picture.
  const lastAt = whole.length - audio.length - 4 - picture[1].length
  whole.writeUIntBE(0xffffff, lastAt + 1, 3)
  const path = join(root, 'truncated.flac')
  await writeFile(path, whole.subarray(0, lastAt + 4 + picture[1].length))
  t.equal(await probeAndCompare(t, path, 'truncated.flac', 'flac'), null, 'not probed')

  // A picture block without a MIME type or without data.
  const body = picture[1]
  const mimeLength = body.readUInt32BE(4)
  const noMime = Buffer.concat([body.subarray(0, 4), Buffer.alloc(4), body.subarray(8 + mimeLength)])
  const descAt = 8 + mimeLength
  const dataAt = descAt + 4 + body.readUInt32BE(descAt) + 16
  const noData = Buffer.concat([body.subarray(0, dataAt), Buffer.alloc(4)])
  for (const [name, changed] of [['no-mime.flac', noMime], ['no-data.flac', noData]] as const) {
    const file = join(root, name)
    await writeFile(file, flacFile([...rest, [6, changed]], audio))
    t.equal(await probeAndCompare(t, file, name, 'flac'), null, `${name}: not probed`)
  }
})
