// A realistic library's shape and names, for the seed and the file generator (issue 15).
// The round-1 libraries drew every name from about sixty words, so every search word matched
// thousands of rows and every list page looked alike. Real libraries draw from a large
// vocabulary in which a few words ("love", "night", "la") are everywhere and most appear once
// or twice: here words come from Debian's English, French and Spanish word lists plus CJK
// names, ranked at random and drawn with Zipf's law (the word of rank r with weight 1/r).
// Deterministic: the same track count and seed give the same library on every machine.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fold } from '../lib/text-fold.js'

export interface RealTrack {
  title: string
  artist: string
  artists: string[]
  trackNumber: number
  trackTotal: number
  discNumber: number
  // Seconds.
  duration: number
  // Bytes of the real file: MP3 3-10 MB, FLAC 20-40 MB.
  size: number
}

export interface RealAlbum {
  // The folder's artist: the album artist, or "Various Artists" for a compilation.
  artist: string
  title: string
  albumArtist: string
  compilation: boolean
  year: number | null
  genres: string[]
  format: 'mp3' | 'flac'
  // Size of the embedded cover in bytes; 0 when the files carry none.
  coverBytes: number
  folderCover: boolean
  discs: number
  tracks: RealTrack[]
}

export interface RealQueries {
  oneWord: string[]
  twoWord: string[]
  noDiacritics: string[]
  oneTypo: string[]
}

const WORD_LISTS = ['/usr/share/dict/american-english', '/usr/share/dict/french', '/usr/share/dict/spanish']
const WORD_PACKAGES = ['wamerican', 'wfrench', 'wspanish']

// Bench scripts install what they need (the project's rule); tests never come here.
function ensureWordLists (): void {
  if (WORD_LISTS.every((f) => existsSync(f))) return
  const asRoot = process.getuid?.() === 0 ? [] : ['sudo', '-n']
  const run = (args: string[]): void => {
    const [cmd, ...rest] = [...asRoot, ...args]
    execFileSync(cmd, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  run(['apt-get', 'update', '-qq'])
  run(['apt-get', 'install', '-y', '-qq', ...WORD_PACKAGES])
}

// Syllables for Japanese, Chinese and Korean names, so some titles and artists have no Latin
// letters at all (search must still find them by a whole word).
const CJK = ['東京', '夜', '空', '愛', '花', '風', '雨', '光', '夢', '星', '海', '月', '心', '桜', '雪', '森',
  '北京', '上海', '春', '秋', '사랑', '밤', '하늘', '꿈', '별', '바다', '서울', '노래']
// The words song and album titles use most, in English, French and Spanish, at the top ranks.
const COMMON = ['love', 'you', 'the', 'my', 'me', 'night', 'la', 'de', 'heart', 'time', 'el', 'amor', 'life',
  'world', 'day', 'le', 'home', 'dream', 'light', 'en', 'blue', 'baby', 'girl', 'man', 'fire', 'song', 'noche',
  'vida', 'nuit', 'coeur', 'rain', 'moon', 'sun', 'mi', 'tu', 'one', 'away', 'dance', 'good', 'blues']
const GENRES = ['Rock', 'Pop', 'Jazz', 'Electronic', 'Ambient', 'Hip-Hop', 'Classical', 'Folk', 'Metal', 'Punk',
  'Soul', 'Funk', 'Blues', 'Country', 'Reggae', 'Latin', 'Indie', 'Post-Rock', 'House', 'Techno', 'Chanson',
  'Flamenco', 'Bossa Nova', 'J-Pop', 'K-Pop', 'Soundtrack', 'Singer-Songwriter', 'Drum and Bass', 'Trip-Hop', 'Gospel']

class Random {
  private state: number
  constructor (seed: number) { this.state = (seed * 0x9e3779b1) >>> 0 || 0x2545f491 }
  next (): number {
    let s = this.state
    s ^= s << 13; s ^= s >>> 17; s ^= s << 5
    this.state = s >>> 0
    return this.state / 4_294_967_296
  }

  int (min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)) }
  pick<T>(list: readonly T[]): T { return list[Math.floor(this.next() * list.length)] }
  chance (p: number): boolean { return this.next() < p }
}

// Zipf's law over a shuffled vocabulary: cumulative weights, searched by bisection.
class Zipf {
  private readonly cumulative: Float64Array
  constructor (private readonly words: string[], private readonly random: Random) {
    this.cumulative = new Float64Array(words.length)
    let sum = 0
    for (let r = 0; r < words.length; r++) this.cumulative[r] = (sum += 1 / (r + 1))
  }

  draw (): string {
    const target = this.random.next() * this.cumulative[this.cumulative.length - 1]
    let lo = 0
    let hi = this.cumulative.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.cumulative[mid] < target) lo = mid + 1
      else hi = mid
    }
    return this.words[lo]
  }
}

function vocabulary (random: Random): string[] {
  ensureWordLists()
  const words = new Set<string>()
  for (const file of WORD_LISTS) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      // Possessives and abbreviations add nothing a title would hold.
      if (line.length >= 2 && !line.includes('\'') && !line.includes('.')) words.add(line.toLowerCase())
    }
  }
  for (const w of COMMON) words.delete(w)
  // Ranks at random but shorter words first on the whole, as in real titles (the French list
  // alone holds 300,000 conjugations, which titles rarely use), after the words titles do use most.
  const ranked = [...words, ...CJK].map((w) => ({ w, key: [...w].length + random.next() * 8 }))
  ranked.sort((a, b) => a.key - b.key)
  return [...COMMON, ...ranked.map((r) => r.w)]
}

const capital = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1)

export function realisticAlbums (trackCount: number, seed = 1): RealAlbum[] {
  const random = new Random(seed)
  const zipf = new Zipf(vocabulary(random), random)
  const phrase = (min: number, max: number): string =>
    Array.from({ length: random.int(min, max) }, () => capital(zipf.draw())).join(' ')

  const artistNames = new Set<string>()
  const newArtist = (): string => {
    for (;;) {
      const name = random.chance(0.2) ? `The ${phrase(1, 2)}` : phrase(1, 3)
      // Distinct as the scanner tells artists apart (by folded name).
      if (!artistNames.has(fold(name))) {
        artistNames.add(fold(name))
        return name
      }
    }
  }
  // About one artist per 40 tracks; a few artists have many albums, most have one or two
  // (the artist of rank r gets albums in proportion to 1/r).
  const artists = Array.from({ length: Math.max(5, Math.round(trackCount / 40)) }, newArtist)
  const artistZipf = new Zipf(artists, random)

  const albums: RealAlbum[] = []
  const albumKeys = new Set<string>()
  let tracks = 0
  while (tracks < trackCount) {
    const compilation = random.chance(0.05)
    const albumArtist = compilation ? 'Various Artists' : artistZipf.draw()
    const title = phrase(1, 4)
    const key = `${fold(albumArtist)}/${fold(title)}`
    if (albumKeys.has(key)) continue
    albumKeys.add(key)
    const format = random.chance(0.7) ? 'mp3' : 'flac'
    const discs = random.chance(0.1) ? 2 : 1
    const perDisc = random.int(5, 15)
    const album: RealAlbum = {
      artist: albumArtist,
      title,
      albumArtist,
      compilation,
      year: random.chance(0.05) ? null : random.int(1955, 2026),
      genres: random.chance(0.2) ? [...new Set([random.pick(GENRES), random.pick(GENRES)])] : [random.pick(GENRES)],
      format,
      coverBytes: random.chance(0.6) ? random.int(200_000, 600_000) : 0,
      folderCover: random.chance(0.5),
      discs,
      tracks: []
    }
    for (let d = 1; d <= discs && tracks < trackCount; d++) {
      for (let n = 1; n <= perDisc && tracks < trackCount; n++) {
        const main = compilation ? artistZipf.draw() : albumArtist
        const guest = random.chance(0.1) ? artistZipf.draw() : null
        const trackArtists = guest === null || guest === main ? [main] : [main, guest]
        const duration = 90 + random.next() * 450
        album.tracks.push({
          title: phrase(1, 6),
          artist: trackArtists.join(' feat. '),
          artists: trackArtists,
          trackNumber: n,
          trackTotal: perDisc,
          discNumber: d,
          duration,
          size: format === 'mp3' ? random.int(3_000_000, 10_000_000) : random.int(20_000_000, 40_000_000)
        })
        tracks++
      }
    }
    albums.push(album)
  }
  return albums
}

// Folds accents away the way a user who cannot type them would ("Québec" -> "Quebec").
const plain = (s: string): string => s.normalize('NFD').replace(/\p{M}/gu, '')

// Queries a user of this library would type: words and pairs taken from its own titles and
// names (so common words come up as often as they are common), without their accents, and
// with one typo (two neighbouring letters swapped, or one dropped).
export function realisticQueries (albums: RealAlbum[], count: number, seed = 7): RealQueries {
  const random = new Random(seed)
  const names: string[] = []
  for (const album of albums) {
    names.push(album.title, album.albumArtist)
    for (const t of album.tracks) names.push(t.title)
  }
  // Short Latin words are left out (a user types more than "de"); a CJK word is whole at two.
  const words = (s: string): string[] => s.split(' ').filter((w) => (w.length >= 4 || /[\p{Script=Han}\p{Script=Hangul}]/u.test(w)) && !/^the$/i.test(w))
  const queries: RealQueries = { oneWord: [], twoWord: [], noDiacritics: [], oneTypo: [] }
  while (queries.oneWord.length < count || queries.twoWord.length < count ||
    queries.noDiacritics.length < count || queries.oneTypo.length < count) {
    const name = random.pick(names)
    const ws = words(name)
    if (ws.length === 0) continue
    const w = random.pick(ws)
    if (queries.oneWord.length < count) queries.oneWord.push(w.toLowerCase())
    if (ws.length >= 2 && queries.twoWord.length < count) {
      const i = random.int(0, ws.length - 2)
      queries.twoWord.push(`${ws[i]} ${ws[i + 1]}`.toLowerCase())
    }
    if (plain(w) !== w && queries.noDiacritics.length < count) queries.noDiacritics.push(plain(w).toLowerCase())
    if (/^\p{L}{5,}$/u.test(w) && /^[\x20-\x7e]+$/.test(w) && queries.oneTypo.length < count) {
      const chars = [...w.toLowerCase()]
      const at = random.int(1, chars.length - 2)
      if (random.chance(0.5)) [chars[at], chars[at + 1]] = [chars[at + 1], chars[at]]
      else chars.splice(at, 1)
      queries.oneTypo.push(chars.join(''))
    }
  }
  return queries
}
