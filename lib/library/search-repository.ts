// Search over the folded name and search columns, in tiers of decreasing relevance:
//   1. the name starts with the query                ("beatles" -> "Beatles Forever")
//   2. the query appears in the search text, where it starts a word before where it does not
//      ("sigur ros" -> tracks of "Sigur Rós", then "ight" -> "Midnight")
//   3. fuzzy: trigram word similarity (<%), closest first ("beatls" -> "The Beatles")
// A tier runs only when the ones before it left the limit unfilled, and tiers 2 and 3 rank at
// most CANDIDATES rows, so neither a common word nor a typo of one makes the server rank (or
// recheck) thousands of rows.
//
// Tiers 2 and 3 first look the query's words up among the library's distinct words
// (search-words.ts): the rows considered are those holding the words found, through the
// word-array indexes (sql/016), and each keeps the tier's own test on its text, so the word
// lookup narrows the rows without changing what matches. Tier 1 is a prefix range (sql/002).
import type { AlbumT, ArtistT, SearchResultT, TrackT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import { albumsByIds } from './album-repository.js'
import { artistsByIds } from './artist-repository.js'
import { tracksByIds, type Viewer } from './track-row.js'
import { Params, escapeLike, foldedWords } from '../db/sql-parts.js'
import { freshSearchWords, similarWords, substringWords, type WordSet } from './search-words.js'

interface Kind {
  from: string
  id: string
  name: string
  search: string
  // The row's words, as its word-array index splits them.
  words: string
  order: string
}

const TRACKS: Kind = {
  from: 'tracks t', id: 't.id', name: 't.sort_key', search: 't.search_key', words: "string_to_array(t.search_key, ' ')", order: 't.sort_key, t.id'
}
const ALBUMS: Kind = {
  from: 'albums al', id: 'al.id', name: 'al.title_key', search: 'al.search_key', words: "string_to_array(al.search_key, ' ')", order: 'al.sort_key, al.id'
}
const ARTISTS: Kind = {
  from: 'artists a', id: 'a.id', name: 'a.name_key', search: 'a.name_key', words: "string_to_array(a.name_key, ' ')", order: 'a.sort_key, a.id'
}

const CANDIDATES = 300

// pg_trgm's default word-similarity threshold (0.6) misses a swapped pair of letters in a short
// word: "electirc" is 0.56 from "electric", "vespretine" 0.47 from "vespertine". At 0.45 both
// are found; nonsense still matches nothing, and the fuzzy tier ranks closest first anyway.
// Set on every database session (plugins/db.ts), since `<%` reads it from there.
export const SEARCH_SESSION_SETTINGS: Readonly<Record<string, string>> = { 'pg_trgm.word_similarity_threshold': '0.45' }

// What the three kinds of one search share: the query, and its words' look-ups, made once.
interface Query {
  text: string
  substringWords: () => Promise<Array<WordSet | null>>
  similarWords: () => Promise<WordSet[]>
}

function once<T> (fn: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined
  return async () => await (result ??= fn())
}

// The words are checked (and refreshed if the library changed) while tier 1, which does not
// read them, runs; the substring look-up, wanted by nearly every search, follows at once.
function queryOf (db: Queryable, text: string): Query {
  const words = text.split(' ')
  const fresh = freshSearchWords(db)
  const substring = fresh.then(async () => await substringWords(db, words))
  // Awaited by the tiers that need it; until then its failure must not go unhandled.
  substring.catch(() => {})
  return {
    text,
    substringWords: async () => await substring,
    similarWords: once(async () => { await fresh; return await similarWords(db, words) })
  }
}

async function ids (db: Queryable, sql: string, params: Params): Promise<string[]> {
  // Planned per call, not prepared: the best plan depends on the pattern (a prefix range, a
  // word-array bitmap, or a walk of the sort index), which a generic plan cannot know.
  const { rows } = await db.query<{ id: string }>(sql, params.values)
  return rows.map((r) => r.id)
}

// Each tier binds only what it uses: an unused parameter has no type PostgreSQL can infer.
async function prefixTier (db: Queryable, kind: Kind, q: Query, limit: number): Promise<string[]> {
  const { from, id, name } = kind
  const p = new Params()
  // Byte order (USING ~<~) lets the prefix index both find and order the matches, so a
  // common first word ("midnight ...") stops after `limit` rows instead of sorting them all.
  return await ids(db, `SELECT ${id} AS id FROM ${from} WHERE ${name} LIKE ${p.add(`${escapeLike(q.text)}%`)}
    ORDER BY ${name} USING ~<~, ${id} LIMIT ${p.add(limit)}`, p)
}

// The rows of `kind` passing `test`, at most CANDIDATES of them, best `rank` first.
//
// With word sets to narrow by, a row must hold a word of each. The rows are reached through the
// set whose words occur least: one probe of the word-array index per word, joined, so no plan
// can read the table instead. As a plain `words && '{...}'` condition, the planner costs a
// row's test as one operator whatever the number of words and scans a small table (or, beside
// a LIMIT, a large one, expecting matches early) at tens of microseconds a row. The join is
// planned in a query of its own for the same reason, and read only until CANDIDATES rows pass
// the test.
type Test = (text: string, name: string) => string

function ranked (kind: Kind, sets: WordSet[], p: Params, test: Test, rank: string, limit: number): string {
  const { from, id, name, search, order } = kind
  const columns = `${id} AS id, ${name} AS name, ${search} AS search, ${order.split(',')[0]} AS k`
  let candidates: string
  if (sets.length === 0) {
    candidates = `SELECT ${columns} FROM ${from} WHERE ${test(search, name)} LIMIT ${CANDIDATES}`
  } else {
    const [rarest, ...others] = [...sets].sort((a, b) => a.uses - b.uses)
    // The other sets are tested on the rows found, not in the join, where the planner would
    // again test them on every row of the table.
    const holdsOthers = others.map((s) => `string_to_array(search, ' ') && ${p.add(s.words)}::text[]`)
    candidates = `WITH r AS MATERIALIZED (
        SELECT ${columns} FROM unnest(${p.add(rarest.words)}::text[]) w(word) JOIN ${from} ON ${kind.words} @> ARRAY[w.word]
      )
      SELECT DISTINCT * FROM (
        SELECT * FROM r WHERE ${[...holdsOthers, test('search', 'name')].join(' AND ')} LIMIT ${CANDIDATES}
      ) x`
  }
  return `WITH c AS MATERIALIZED (${candidates}) SELECT id FROM c ORDER BY ${rank}, k, id LIMIT ${p.add(limit)}`
}

async function substringTier (db: Queryable, kind: Kind, q: Query, limit: number): Promise<string[]> {
  const found = await q.substringWords()
  // A query word nothing in the library holds: no row contains the query.
  if (found.some((s) => s !== null && s.words.length === 0)) return []
  const sets = found.filter((s): s is WordSet => s !== null)
  const e = escapeLike(q.text)
  const p = new Params()
  const prefix = p.add(`${e}%`)
  const inside = p.add(`%${e}%`)
  // A name starting with the query is tier 1's.
  const test: Test = (text, name) => `${text} LIKE ${inside} AND NOT ${name} LIKE ${prefix}`
  const rank = `(search LIKE ${prefix} OR search LIKE ${p.add(`% ${e}%`)}) DESC`
  return await ids(db, ranked(kind, sets, p, test, rank, limit), p)
}

// Rows holding words close to the query's, kept when their text is within the threshold of the
// whole query (`<%`) and does not contain it (tier 2 found those), closest first.
async function fuzzyRows (db: Queryable, kind: Kind, q: Query, sets: WordSet[], limit: number): Promise<string[]> {
  const p = new Params()
  const query = p.add(q.text)
  const inside = p.add(`%${escapeLike(q.text)}%`)
  const test: Test = (text) => `${query} <% ${text} AND NOT ${text} LIKE ${inside}`
  return await ids(db, ranked(kind, sets, p, test, `word_similarity(${query}, search) DESC`, limit), p)
}

// Rows with a close word for any query word, tried only for words this rare: a common word's
// rows would each be tested against the whole query.
const RARE_USES = 1000

async function fuzzyTier (db: Queryable, kind: Kind, q: Query, limit: number): Promise<string[]> {
  const sets = (await q.similarWords()).filter((s) => s.words.length > 0)
  if (sets.length === 0) return []
  // Rows with a close word for every query word that has one...
  const found = await fuzzyRows(db, kind, q, sets, limit)
  const rare = sets.filter((s) => s.uses <= RARE_USES)
  if (found.length >= limit || sets.length === 1 || rare.length === 0) return found
  // ...then, the limit unfilled, rows with a close word for any of the rare ones: a short
  // word's typo ("nian simone") has no close word, yet the whole query is close to "nina simone".
  const anyRare = { words: [...new Set(rare.flatMap((s) => s.words))], uses: rare.reduce((n, s) => n + s.uses, 0) }
  const more = await fuzzyRows(db, kind, q, [anyRare], limit)
  return [...new Set([...found, ...more])].slice(0, limit)
}

const TIERS = [prefixTier, substringTier, fuzzyTier]

async function rankedIds (db: Queryable, kind: Kind, q: Query, limit: number): Promise<string[]> {
  const found = new Set<string>()
  for (const tier of TIERS) {
    for (const id of await tier(db, kind, q, limit)) if (found.size < limit) found.add(id)
    if (found.size >= limit) break
  }
  return [...found]
}

// Tracks show the viewer's state (lib/library/track-row.ts); the ranking is everyone's.
async function searchTracks (db: Queryable, viewer: Viewer, q: Query, limit: number): Promise<TrackT[]> {
  return await tracksByIds(db, viewer, await rankedIds(db, TRACKS, q, limit))
}

async function searchAlbums (db: Queryable, q: Query, limit: number): Promise<AlbumT[]> {
  return await albumsByIds(db, await rankedIds(db, ALBUMS, q, limit))
}

async function searchArtists (db: Queryable, q: Query, limit: number): Promise<ArtistT[]> {
  return await artistsByIds(db, await rankedIds(db, ARTISTS, q, limit))
}

export async function search (db: Queryable, viewer: Viewer, text: string, limit: number): Promise<SearchResultT> {
  const query = foldedWords(text).join(' ')
  if (query === '') return { tracks: [], albums: [], artists: [] }
  const q = queryOf(db, query)
  const [tracks, albums, artists] = await Promise.all([
    searchTracks(db, viewer, q, limit),
    searchAlbums(db, q, limit),
    searchArtists(db, q, limit)
  ])
  return { tracks, albums, artists }
}
