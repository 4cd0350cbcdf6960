// Writes the files of a realistic library (bench/realistic-library.ts) at their real sizes without
// their real disk space: each file is its head (tags as taggers lay them out, the embedded cover,
// a second of audio whose header claims the whole length) and then a hole up to the real size.
// A scan reads only the head and the last few KiB, so it does the reads a real library costs it.
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeAudio } from '../test/fixtures/audio.js'
import type { RealAlbum, RealTrack } from './realistic-library.js'
import { flacWithTags, id3v2, stripId3v2, type BenchCover, type BenchTags } from './tag-writers.js'

const SAMPLE_RATE = 44_100
const MP3_SAMPLES_PER_FRAME = 1152

// Names as they appear on disk: no separators or characters Windows taggers refuse, and short
// enough for any file system's 255-byte names (CJK is 3 bytes a character).
function safeName (value: string, max = 80): string {
  const cleaned = value.replace(/[/\\:*?"<>|\0]/g, '_').replace(/^\.+/, '_').trim()
  const cut = [...cleaned].slice(0, max).join('').replace(/[. ]+$/, '')
  return cut === '' ? '_' : cut
}

export interface AudioTemplates {
  // One second of CBR MP3 frames starting with a LAME Info frame, no tags.
  mp3: Buffer
  // A one-second FLAC file (STREAMINFO, frames).
  flac: Buffer
  // A real JPEG; covers are it plus padding up to the album's cover size (after the end marker,
  // where decoders ignore it).
  jpeg: Buffer
}

export async function audioTemplates (): Promise<AudioTemplates> {
  const dir = await mkdtemp(join(tmpdir(), 'sonantica-realistic-'))
  const jpegPath = join(dir, 'cover.jpg')
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=s=500x500', '-frames:v', '1', '-q:v', '4', jpegPath])
  return {
    mp3: stripId3v2(await readFile(await encodeAudio('mp3', { seconds: 1 }))),
    flac: await readFile(await encodeAudio('flac', { seconds: 1 })),
    jpeg: await readFile(jpegPath).finally(async () => { await rm(dir, { recursive: true, force: true }) })
  }
}

// The LAME Info frame's frame and byte counts are what a parser takes the length from.
function mp3Claiming (template: Buffer, seconds: number, fileBytes: number): Buffer {
  const audio = Buffer.from(template)
  const at = Math.max(audio.indexOf('Info', 0, 'latin1'), audio.indexOf('Xing', 0, 'latin1'))
  if (at < 0 || at > 200) throw new Error('the MP3 template has no Info frame')
  const flags = audio.readUInt32BE(at + 4)
  let field = at + 8
  if ((flags & 1) !== 0) { audio.writeUInt32BE(Math.round(seconds * SAMPLE_RATE / MP3_SAMPLES_PER_FRAME), field); field += 4 }
  if ((flags & 2) !== 0) audio.writeUInt32BE(fileBytes, field)
  return audio
}

// STREAMINFO's total sample count (36 bits from byte 13 of the block) gives a FLAC's length.
function flacClaiming (file: Buffer, seconds: number): Buffer {
  const out = Buffer.from(file)
  const info = 8 // 'fLaC' and the block header
  const samples = Math.round(seconds * SAMPLE_RATE)
  out[info + 13] = (out[info + 13] & 0xf0) | Math.floor(samples / 2 ** 32) & 0x0f
  out.writeUInt32BE(samples % 2 ** 32, info + 14)
  return out
}

function coverOf (jpeg: Buffer, bytes: number, seed: number): BenchCover {
  const padding = Buffer.alloc(Math.max(0, bytes - jpeg.length))
  // Not zeros: a cover is incompressible data wherever it is stored or copied.
  let s = (seed * 2_654_435_761) >>> 0 || 1
  for (let i = 0; i + 4 <= padding.length; i += 4) {
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5
    padding.writeUInt32LE(s >>> 0, i)
  }
  return { bytes: Buffer.concat([jpeg, padding]), mime: 'image/jpeg' }
}

function tagsOf (album: RealAlbum, track: RealTrack): BenchTags {
  return {
    title: track.title,
    artist: track.artist,
    artists: track.artists,
    album: album.title,
    albumArtist: album.albumArtist,
    track: `${track.trackNumber}/${track.trackTotal}`,
    disc: `${track.discNumber}/${album.discs}`,
    year: album.year === null ? '' : String(album.year),
    genre: album.genres.join(';'),
    genres: album.genres,
    compilation: album.compilation
  }
}

// Folder and file names as rippers and taggers make them: "Artist/Album (Year)/NN Title.ext",
// "CD N" folders for two-disc albums, "NN Artist - Title" on compilations.
export function albumFolder (album: RealAlbum): string {
  const year = album.year === null ? '' : ` (${album.year})`
  return join(safeName(album.artist), `${safeName(album.title)}${year}`)
}

function trackFile (album: RealAlbum, track: RealTrack): string {
  const nn = String(track.trackNumber).padStart(2, '0')
  const name = album.compilation ? `${nn} ${track.artist} - ${track.title}` : `${nn} ${track.title}`
  const file = `${safeName(name, 100)}.${album.format}`
  return album.discs > 1 ? join(`CD ${track.discNumber}`, file) : file
}

export interface WrittenAlbum { files: number, corrupt: number, headBytes: number, apparentBytes: number }

// index: the album's place in the library, for its cover's bytes and for the few corrupt files
// (about 0.2%, garbage where the audio should be) a real library has.
export async function writeRealisticAlbum (root: string, album: RealAlbum, index: number, t: AudioTemplates, isCorrupt: () => boolean): Promise<WrittenAlbum> {
  const folder = join(root, albumFolder(album))
  const out: WrittenAlbum = { files: 0, corrupt: 0, headBytes: 0, apparentBytes: 0 }
  const cover = album.coverBytes > 0 ? coverOf(t.jpeg, album.coverBytes, index + 1) : undefined
  await mkdir(folder, { recursive: true })
  if (album.discs > 1) {
    for (let d = 1; d <= album.discs; d++) await mkdir(join(folder, `CD ${d}`), { recursive: true })
  }
  if (album.folderCover) await writeFile(join(folder, 'cover.jpg'), cover?.bytes ?? coverOf(t.jpeg, 150_000, index + 1).bytes)
  await Promise.all(album.tracks.map(async (track) => {
    const tags = tagsOf(album, track)
    const corrupt = isCorrupt()
    const sound = album.format === 'mp3'
      ? Buffer.concat([id3v2(tags, cover), mp3Claiming(t.mp3, track.duration, track.size)])
      : flacWithTags(flacClaiming(t.flac, track.duration), tags, cover)
    const head = corrupt ? Buffer.alloc(2048, index) : sound
    const size = corrupt ? head.length : track.size
    if (corrupt) out.corrupt++
    const handle = await open(join(folder, trackFile(album, track)), 'w')
    try {
      await handle.write(head, 0, head.length, 0)
      // The rest is a hole: the file reads as its real size, zeros past the head.
      await handle.truncate(size)
    } finally {
      await handle.close()
    }
    out.files++
    out.headBytes += head.length
    out.apparentBytes += size
  }))
  return out
}
