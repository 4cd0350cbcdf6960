// Fills a PostgreSQL database with a library (100,000 tracks by default) for the library API
// benchmarks. Rows are the scanner's for files with these tags (lib/scan/track-records.ts).
//   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/sonantica_bench BENCH_TRACKS=100000 npm run bench:seed-db
// BENCH_LIBRARY=realistic draws names from a large vocabulary (bench/realistic-library.ts);
// the default, synthetic, is round 1's library of about sixty words, kept to compare with it.
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { migrate } from '../lib/migrate.js'
import { TRACK_RECORD_TYPES, albumRecord, artistRecord, trackRecord, type AlbumRecord, type ArtistRecord, type TrackRecord } from '../lib/scan/track-records.js'
import type { TrackTags } from '../lib/scan/tags.js'
import { recreateDatabase } from './recreate-database.js'
import { realisticAlbums, type RealAlbum } from './realistic-library.js'

export const BENCH_DB_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench'
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000)
export const REALISTIC = process.env.BENCH_LIBRARY === 'realistic'
if (!['realistic', 'synthetic', undefined].includes(process.env.BENCH_LIBRARY)) throw new Error('BENCH_LIBRARY is realistic or synthetic')

// Deterministic, so every run builds the same library.
let state = 0x2545f491
function random (): number {
  state ^= state << 13; state ^= state >>> 17; state ^= state << 5
  return (state >>> 0) / 4_294_967_296
}
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]

const WORDS = ('love night heart fire rain dream light blue gold river shadow summer winter city road ' +
  'moon star sun ocean storm silver glass paper ghost echo wild quiet broken electric midnight morning ' +
  'garden mirror window thunder velvet neon desert forest island harbour signal radio secret wonder ' +
  'hollow crystal ember frozen golden empty distant falling rising running dancing burning ' +
  'sweet bitter lonely little lost young old new last first second').split(' ')
const ACCENTED = ['Sigur Rós', 'Björk', 'Beyoncé', 'Mötley Crüe', 'Café Tacvba', 'Zoé', 'Héroes del Silencio', 'Motörhead', 'Łona', 'Ólafur Arnalds']
const GENRES = ['Rock', 'Pop', 'Jazz', 'Electronic', 'Ambient', 'Hip-Hop', 'Classical', 'Folk', 'Metal', 'Punk',
  'Soul', 'Funk', 'Blues', 'Country', 'Reggae', 'Latin', 'Indie', 'Post-Rock', 'House', 'Techno']
const cap = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1)

function phrase (min: number, max: number): string {
  const n = min + Math.floor(random() * (max - min + 1))
  return Array.from({ length: n }, () => cap(pick(WORDS))).join(' ')
}

type ArtistRow = ArtistRecord & { id: string }
type AlbumRow = AlbumRecord & { id: string, artist_id: string, year: number | null, cover_source: string | null, created_at: string }
type TrackRow = TrackRecord & { id: string, artist_id: string, album_id: string, added_at: string }

// Every column a row type has, with its SQL type: a column added to the records must be added here.
const ARTIST_COLUMNS: Record<keyof ArtistRow, string> = { id: 'uuid', name: 'text', name_key: 'text', sort_key: 'text', mbid: 'text' }
const ALBUM_COLUMNS: Record<keyof AlbumRow, string> = {
  id: 'uuid',
  title: 'text',
  title_key: 'text',
  sort_key: 'text',
  artist_id: 'uuid',
  album_artist: 'text',
  mb_album_id: 'text',
  compilation: 'bool',
  year: 'int',
  cover_source: 'text',
  search_key: 'text',
  created_at: 'timestamptz'
}
const TRACK_COLUMNS: Record<keyof TrackRow, string> = {
  ...TRACK_RECORD_TYPES,
  id: 'uuid',
  artist_id: 'uuid',
  album_id: 'uuid',
  added_at: 'timestamptz'
}

function arrayLiteral (values: string[]): string {
  return `{${values.map((v) => JSON.stringify(v)).join(',')}}`
}

async function insertRows<R extends object> (db: pg.Pool, table: string, types: Record<keyof R, string>, rows: R[]): Promise<void> {
  const BATCH = 5000
  const columns = Object.entries(types) as Array<[keyof R & string, string]>
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH)
    // One array per column, expanded by unnest: one statement per 5000 rows. An array-typed
    // column travels as its text literal inside a text[] and is cast per row.
    const arrays = columns.map(([name, type]) => batch.map((r) => type.endsWith('[]') ? arrayLiteral(r[name] as string[]) : r[name]))
    const list = columns.map(([name]) => name).join(', ')
    const params = columns.map(([, type], i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`).join(', ')
    const aliases = columns.map((_, i) => `c${i}`)
    const select = columns.map(([, type], i) => type.endsWith('[]') ? `c${i}::${type}` : `c${i}`).join(', ')
    await db.query(`INSERT INTO ${table} (${list}) SELECT ${select} FROM unnest(${params}) AS u(${aliases.join(', ')})`, arrays)
  }
}

export async function seedBenchDatabase (url = BENCH_DB_URL, trackCount = TRACKS): Promise<void> {
  await recreateDatabase(url)
  const db = new pg.Pool({ connectionString: url, max: 2 })
  await seedLibraryInto(db, trackCount, url)
  await db.end()
}

// Migrates and fills an empty database reached through `db` (PostgreSQL, or PGlite through its
// node-postgres adapter).
export async function seedLibraryInto (db: pg.Pool, trackCount = TRACKS, label = 'the database'): Promise<void> {
  await migrate(db)
  const { artists, albums, tracks } = REALISTIC ? realisticRows(trackCount) : syntheticRows(trackCount)
  await insertRows(db, 'artists', ARTIST_COLUMNS, artists)
  await insertRows(db, 'albums', ALBUM_COLUMNS, albums)
  await insertRows(db, 'tracks', TRACK_COLUMNS, tracks)
  await db.query('INSERT INTO scans (status, phase, finished_at) VALUES (\'completed\', \'complete\', now())')
  await db.query('VACUUM ANALYZE')
  process.stdout.write(`seeded ${artists.length} artists, ${albums.length} albums, ${tracks.length} tracks (${REALISTIC ? 'realistic' : 'synthetic'}) into ${label}\n`)
}

interface Rows { artists: ArtistRow[], albums: AlbumRow[], tracks: TrackRow[] }

const BASE_TIME = Date.UTC(2020, 0, 1)

function syntheticRows (trackCount: number): Rows {
  const artistCount = Math.max(10, Math.round(trackCount / 60))
  const artists: ArtistRow[] = []
  const seen = new Set<string>()
  for (const name of ACCENTED) {
    const artist = { id: randomUUID(), ...artistRecord(name) }
    artists.push(artist)
    seen.add(artist.name_key)
  }
  while (artists.length < artistCount) {
    const artist = { id: randomUUID(), ...artistRecord(random() < 0.3 ? `The ${phrase(1, 2)}` : phrase(1, 3)) }
    if (seen.has(artist.name_key)) continue
    seen.add(artist.name_key)
    artists.push(artist)
  }

  const albums: AlbumRow[] = []
  const tracks: TrackRow[] = []
  const base = BASE_TIME
  const albumIdentities = new Set<string>()
  while (tracks.length < trackCount) {
    const artist = pick(artists)
    const albumId = randomUUID()
    const title = phrase(1, 4)
    const album = albumRecord({ album: title, albumArtist: artist.name, mbAlbumId: null, compilation: false })
    if (albumIdentities.has(`${artist.id}/${album.title_key}`)) continue
    albumIdentities.add(`${artist.id}/${album.title_key}`)
    const year = random() < 0.05 ? null : 1960 + Math.floor(random() * 65)
    const genres = random() < 0.2 ? [pick(GENRES), pick(GENRES)].filter((g, i, a) => a.indexOf(g) === i) : [pick(GENRES)]
    const created = new Date(base + tracks.length * 60_000).toISOString()
    albums.push({
      id: albumId,
      ...album,
      artist_id: artist.id,
      year,
      cover_source: random() < 0.7 ? `embedded:${artist.name}/${title}/01.flac` : null,
      created_at: created
    })
    const discs = random() < 0.1 ? 2 : 1
    const perDisc = 6 + Math.floor(random() * 10)
    for (let d = 1; d <= discs && tracks.length < trackCount; d++) {
      for (let n = 1; n <= perDisc && tracks.length < trackCount; n++) {
        const trackTitle = phrase(1, 5)
        const path = `${artist.name}/${title} [${albumId.slice(0, 8)}]/${d}-${String(n).padStart(2, '0')} ${trackTitle}.flac`
        // The size is drawn before the length, as the generator always has: the same library every run.
        const stamp = { path, size: 20_000_000 + Math.floor(random() * 30_000_000), mtimeMs: 1_700_000_000_000 }
        // Spelled out rather than spread from a shared object: spreading costs seconds per
        // 100,000 tracks.
        const tags: TrackTags = {
          title: trackTitle,
          artist: artist.name,
          artists: [artist.name],
          albumArtist: artist.name,
          album: title,
          compilation: false,
          trackNumber: n,
          trackTotal: perDisc,
          discNumber: d,
          discTotal: discs,
          year,
          genres,
          duration: 120 + random() * 360,
          container: 'FLAC',
          codec: 'FLAC',
          bitrate: 900_000,
          sampleRate: 44_100,
          channels: 2,
          bitsPerSample: 16,
          lossless: true,
          mbTrackId: null,
          mbRecordingId: null,
          mbAlbumId: null,
          mbArtistId: null,
          mbAlbumArtistId: null,
          replayGainTrackGain: null,
          replayGainTrackPeak: null,
          replayGainAlbumGain: null,
          replayGainAlbumPeak: null,
          hasCover: false
        }
        tracks.push({ id: randomUUID(), ...trackRecord(stamp, tags), artist_id: artist.id, album_id: albumId, added_at: created })
      }
    }
  }

  return { artists, albums, tracks }
}

// The rows a scan of the realistic library's files would write: one artist per distinct track
// artist and album artist ("A feat. B" is an artist of its own, as the scanner stores it).
function realisticRows (trackCount: number): Rows {
  const artists: ArtistRow[] = []
  const artistIds = new Map<string, string>()
  const artistId = (name: string): string => {
    const record = artistRecord(name)
    let id = artistIds.get(record.name_key)
    if (id === undefined) {
      id = randomUUID()
      artistIds.set(record.name_key, id)
      artists.push({ id, ...record })
    }
    return id
  }
  const albums: AlbumRow[] = []
  const tracks: TrackRow[] = []
  for (const real of realisticAlbums(trackCount)) {
    const albumId = randomUUID()
    const created = new Date(BASE_TIME + tracks.length * 60_000).toISOString()
    const folder = `${real.artist}/${real.title} [${albumId.slice(0, 8)}]`
    albums.push({
      id: albumId,
      ...albumRecord({ album: real.title, albumArtist: real.albumArtist, mbAlbumId: null, compilation: real.compilation }),
      artist_id: artistId(real.albumArtist),
      year: real.year,
      cover_source: real.coverBytes > 0 ? `embedded:${folder}/01.${real.format}` : real.folderCover ? `${folder}/cover.jpg` : null,
      created_at: created
    })
    for (const t of real.tracks) {
      const path = `${folder}/${real.discs > 1 ? `${t.discNumber}-` : ''}${String(t.trackNumber).padStart(2, '0')} ${t.title}.${real.format}`
      tracks.push({
        id: randomUUID(),
        ...trackRecord({ path, size: t.size, mtimeMs: 1_700_000_000_000 }, realTags(real, t)),
        artist_id: artistId(t.artist),
        album_id: albumId,
        added_at: created
      })
    }
  }
  return { artists, albums, tracks }
}

function realTags (album: RealAlbum, t: RealAlbum['tracks'][number]): TrackTags {
  const mp3 = album.format === 'mp3'
  return {
    title: t.title,
    artist: t.artist,
    artists: t.artists,
    albumArtist: album.albumArtist,
    album: album.title,
    compilation: album.compilation,
    trackNumber: t.trackNumber,
    trackTotal: t.trackTotal,
    discNumber: t.discNumber,
    discTotal: album.discs,
    year: album.year,
    genres: album.genres,
    duration: t.duration,
    container: mp3 ? 'MPEG' : 'FLAC',
    codec: mp3 ? 'MPEG 1 Layer 3' : 'FLAC',
    bitrate: Math.round(t.size * 8 / t.duration),
    sampleRate: 44_100,
    channels: 2,
    bitsPerSample: mp3 ? null : 16,
    lossless: !mp3,
    mbTrackId: null,
    mbRecordingId: null,
    mbAlbumId: null,
    mbArtistId: null,
    mbAlbumArtistId: null,
    replayGainTrackGain: null,
    replayGainTrackPeak: null,
    replayGainAlbumGain: null,
    replayGainAlbumPeak: null,
    hasCover: album.coverBytes > 0
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await seedBenchDatabase()
}
