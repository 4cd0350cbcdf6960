// Generates a library: npm run bench:make-library -- <dir> [tracks=20000] [--realistic]
// Synthetic (the default): Artist/Album/NN Title.ext folders with tags from a few words; ~65% MP3
// and ~25% FLAC with tags written here per file, ~10% Ogg/Opus/M4A copied per album from files
// ffmpeg tagged; some embedded covers, some folder covers, and a few corrupt files.
// --realistic: the library of bench/realistic-library.ts, files at their real sizes as sparse
// files (bench/realistic-files.ts).
import { mkdir, readFile, writeFile, copyFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { coverImage, encodeAudio } from '../test/fixtures/audio.js'
import { id3v2, stripId3v2, flacWithTags, type BenchTags } from './tag-writers.js'
import { realisticAlbums } from './realistic-library.js'
import { audioTemplates, writeRealisticAlbum } from './realistic-files.js'

const args = process.argv.slice(2)
const realistic = args.includes('--realistic')
const [dir, count] = args.filter((a) => a !== '--realistic')
const total = Number(count ?? 20_000)
if (dir === undefined || !Number.isInteger(total) || total <= 0) {
  process.stderr.write('usage: bench/make-library.ts <dir> [tracks] [--realistic]\n')
  process.exit(2)
}

const GENRES = ['Rock', 'Pop', 'Jazz', 'Electronic', 'Classical', 'Hip-Hop', 'Folk; Acoustic', 'Metal', 'Ambient', 'Soul']
const WORDS = ['Night', 'Blue', 'Río', 'Fire', 'Ghost', 'Échos', 'Silver', 'Storm', 'Garden', 'Mirror', 'Sól', 'Tokyo 東京', 'River', 'Glass', 'Heart', 'Wolf']
const word = (n: number): string => WORDS[n % WORDS.length]
const TRACKS_PER_ALBUM = 10
const ALBUMS_PER_ARTIST = 4

// Deterministic pseudo-random numbers, so two runs make the same library.
let seed = 42
const rand = (): number => {
  seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff
  return seed / 0x7fffffff
}

await rm(dir, { recursive: true, force: true })
await mkdir(dir, { recursive: true })
const started = Date.now()
if (realistic) {
  const templates = await audioTemplates()
  const sum = { files: 0, corrupt: 0, headBytes: 0, apparentBytes: 0 }
  const albums = realisticAlbums(total)
  for (const [i, album] of albums.entries()) {
    const w = await writeRealisticAlbum(dir, album, i, templates, () => rand() < 0.002)
    sum.files += w.files; sum.corrupt += w.corrupt; sum.headBytes += w.headBytes; sum.apparentBytes += w.apparentBytes
  }
  const gb = (b: number): string => (b / 1e9).toFixed(1)
  process.stdout.write(`${sum.files} files (${sum.corrupt} corrupt) in ${albums.length} albums in ${dir}: ${gb(sum.apparentBytes)} GB apparent, ${gb(sum.headBytes)} GB written, in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
  process.exit(0)
}
const mp3Audio = stripId3v2(await readFile(await encodeAudio('mp3', { seconds: 2 })))
const flacBase = await readFile(await encodeAudio('flac', { seconds: 1 }))
const cover = await readFile(await coverImage())

let written = 0
let corrupt = 0
for (let album = 0; written < total; album++) {
  const artistNo = Math.floor(album / ALBUMS_PER_ARTIST)
  const artist = `${word(artistNo)} ${word(artistNo * 7 + 3)} ${artistNo}`
  const albumTitle = `${word(album * 3 + 1)} ${word(album * 5 + 2)} ${album}`
  const year = String(1960 + (album % 60))
  const genre = GENRES[album % GENRES.length]
  const albumDir = join(dir, artist, albumTitle)
  await mkdir(albumDir, { recursive: true })
  const r = rand()
  const kind = r < 0.65 ? 'mp3' : r < 0.9 ? 'flac' : (['ogg', 'opus', 'm4a'] as const)[album % 3]
  const embedCover = rand() < 0.15
  if (!embedCover && rand() < 0.3) await writeFile(join(albumDir, 'cover.jpg'), cover)
  let ffmpegSource: string | null = null
  if (kind === 'ogg' || kind === 'opus' || kind === 'm4a') {
    ffmpegSource = await encodeAudio(kind, { tags: { artist, album: albumTitle, albumArtist: artist, date: year, genre, title: albumTitle } })
  }
  for (let n = 1; n <= TRACKS_PER_ALBUM && written < total; n++) {
    const title = `${word(album + n)} ${word(n * 11)} ${n}`
    const tags: BenchTags = { title, artist, album: albumTitle, albumArtist: artist, track: `${n}/${TRACKS_PER_ALBUM}`, year, genre }
    const base = join(albumDir, `${String(n).padStart(2, '0')} ${title}`)
    if (rand() < 0.002) {
      await writeFile(`${base}.mp3`, Buffer.alloc(2048, n))
      corrupt++
    } else if (kind === 'mp3') {
      await writeFile(`${base}.mp3`, Buffer.concat([id3v2(tags, embedCover ? cover : undefined), mp3Audio]))
    } else if (kind === 'flac') {
      await writeFile(`${base}.flac`, flacWithTags(flacBase, tags, embedCover ? cover : undefined))
    } else {
      await copyFile(ffmpegSource as string, `${base}.${kind === 'm4a' ? 'm4a' : kind}`)
    }
    written++
  }
}
process.stdout.write(`${written} files (${corrupt} corrupt) in ${dir} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`)
