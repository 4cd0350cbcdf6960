// Fills a PostgreSQL database with a synthetic library (100,000 tracks by default) for the
// library API benchmark. Keys are folded exactly as the scanner folds them.
//   BENCH_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/sonantica_bench BENCH_TRACKS=100000 npm run bench:seed-db
import { randomUUID } from 'node:crypto'
import pg from 'pg'
import { migrate } from '../lib/migrate.js'
import { fold, sortKey } from '../lib/text-fold.js'
import { recreateDatabase } from './recreate-database.js'

export const BENCH_DB_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/sonantica_bench'
const TRACKS = Number(process.env.BENCH_TRACKS ?? 100_000)

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

async function insertRows (db: pg.Pool, table: string, columns: Array<[string, string]>, rows: unknown[][]): Promise<void> {
  const BATCH = 5000
  for (let start = 0; start < rows.length; start += BATCH) {
    const batch = rows.slice(start, start + BATCH)
    // One array per column, expanded by unnest: one statement per 5000 rows.
    const arrays = columns.map((_, c) => batch.map((r) => r[c]))
    const list = columns.map(([name]) => name).join(', ')
    // An array-typed column travels as its text literal inside a text[] and is cast per row.
    const params = columns.map(([, type], i) => `$${i + 1}::${type.endsWith('[]') ? 'text' : type}[]`).join(', ')
    const aliases = columns.map((_, i) => `c${i}`)
    const select = columns.map(([, type], i) => type.endsWith('[]') ? `c${i}::${type}` : `c${i}`).join(', ')
    await db.query(`INSERT INTO ${table} (${list}) SELECT ${select} FROM unnest(${params}) AS u(${aliases.join(', ')})`, arrays)
  }
}

export async function seedBenchDatabase (url = BENCH_DB_URL, trackCount = TRACKS): Promise<void> {
  await recreateDatabase(url)
  const db = new pg.Pool({ connectionString: url, max: 2 })
  await migrate(db)

  const artistCount = Math.max(10, Math.round(trackCount / 60))
  const artists: Array<{ id: string, name: string }> = []
  const seen = new Set<string>()
  for (const name of ACCENTED) { artists.push({ id: randomUUID(), name }); seen.add(fold(name)) }
  while (artists.length < artistCount) {
    const name = random() < 0.3 ? `The ${phrase(1, 2)}` : phrase(1, 3)
    if (seen.has(fold(name))) continue
    seen.add(fold(name))
    artists.push({ id: randomUUID(), name })
  }

  const albums: unknown[][] = []
  const tracks: unknown[][] = []
  const base = Date.UTC(2020, 0, 1)
  const albumIdentities = new Set<string>()
  while (tracks.length < trackCount) {
    const artist = pick(artists)
    const albumId = randomUUID()
    const title = phrase(1, 4)
    if (albumIdentities.has(`${artist.id}/${fold(title)}`)) continue
    albumIdentities.add(`${artist.id}/${fold(title)}`)
    const year = random() < 0.05 ? null : 1960 + Math.floor(random() * 65)
    const genres = random() < 0.2 ? [pick(GENRES), pick(GENRES)].filter((g, i, a) => a.indexOf(g) === i) : [pick(GENRES)]
    const created = new Date(base + tracks.length * 60_000).toISOString()
    albums.push([albumId, title, fold(title), sortKey(title), artist.id, artist.name, year,
      random() < 0.7 ? `embedded:${artist.name}/${title}/01.flac` : null, fold(`${title} ${artist.name}`), created])
    const discs = random() < 0.1 ? 2 : 1
    const perDisc = 6 + Math.floor(random() * 10)
    for (let d = 1; d <= discs && tracks.length < trackCount; d++) {
      for (let n = 1; n <= perDisc && tracks.length < trackCount; n++) {
        const trackTitle = phrase(1, 5)
        const path = `${artist.name}/${title} [${albumId.slice(0, 8)}]/${d}-${String(n).padStart(2, '0')} ${trackTitle}.flac`
        tracks.push([randomUUID(), path, 20_000_000 + Math.floor(random() * 30_000_000), 1_700_000_000_000,
          trackTitle, fold(trackTitle), artist.name, `{${JSON.stringify(artist.name)}}`, sortKey(artist.name), artist.id,
          artist.name, title, sortKey(title), albumId, n, perDisc, d, discs, year, `{${genres.map((g) => JSON.stringify(g)).join(',')}}`,
          120 + random() * 360, 'FLAC', 'FLAC', 900_000, 44_100, 2, 16, true,
          fold(`${trackTitle} ${artist.name} ${title}`), created])
      }
    }
  }

  await insertRows(db, 'artists', [['id', 'uuid'], ['name', 'text'], ['name_key', 'text'], ['sort_key', 'text']],
    artists.map((a) => [a.id, a.name, fold(a.name), sortKey(a.name)]))
  await insertRows(db, 'albums', [['id', 'uuid'], ['title', 'text'], ['title_key', 'text'], ['sort_key', 'text'],
    ['artist_id', 'uuid'], ['album_artist', 'text'], ['year', 'int'], ['cover_source', 'text'], ['search_key', 'text'],
    ['created_at', 'timestamptz']], albums)
  await insertRows(db, 'tracks', [['id', 'uuid'], ['file_path', 'text'], ['file_size', 'bigint'], ['file_mtime_ms', 'bigint'],
    ['title', 'text'], ['title_key', 'text'], ['artist', 'text'], ['artists', 'text[]'], ['artist_key', 'text'], ['artist_id', 'uuid'],
    ['album_artist', 'text'], ['album', 'text'], ['album_key', 'text'], ['album_id', 'uuid'], ['track_number', 'int'],
    ['track_total', 'int'], ['disc_number', 'int'], ['disc_total', 'int'], ['year', 'int'], ['genres', 'text[]'],
    ['duration', 'float8'], ['container', 'text'], ['codec', 'text'], ['bitrate', 'int'], ['sample_rate', 'int'],
    ['channels', 'int'], ['bits_per_sample', 'int'], ['lossless', 'bool'], ['search_key', 'text'], ['added_at', 'timestamptz']], tracks)
  await db.query('INSERT INTO scans (status, phase, finished_at) VALUES (\'completed\', \'complete\', now())')
  await db.query('VACUUM ANALYZE')
  await db.end()
  process.stdout.write(`seeded ${artists.length} artists, ${albums.length} albums, ${tracks.length} tracks into ${url}\n`)
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await seedBenchDatabase()
}
