// The library's distinct folded words (sql/016), and what a search asks of them: which words
// contain, start or end with a query word, and which are a typo away from one. Matching tens of
// thousands of short words is what makes a rare word or a typo cheap to find; the rows holding
// the words found are then reached through the word-array indexes.
import type { Queryable } from '../db/queryable.js'
import { escapeLike } from '../db/sql-parts.js'

// Words of every searched column, split as the word-array indexes split them.
const LIBRARY_WORDS = `
  SELECT w FROM tracks, unnest(string_to_array(search_key, ' ')) w
  UNION ALL SELECT w FROM albums, unnest(string_to_array(search_key, ' ')) w
  UNION ALL SELECT w FROM artists, unnest(string_to_array(name_key, ' ')) w`

// One statement, so the words and the version written beside them come from one snapshot: a
// row committed meanwhile makes the version older than the library, and the next search
// refreshes again. Only the difference is written; an unchanged library writes nothing.
// One refresh at a time per database, whichever process runs it (a scan's worker and a search
// in the API may both find the words stale): two would delete and upsert the same words in
// different orders and could deadlock. The lock is the statement's own and tried, not waited
// for: a refresh already running brings the words up to date, and if its snapshot was older
// than the change that made this one start, the version it writes says so and the next search
// refreshes again.
const REFRESH_LOCK = 0x5e4c4857
const REFRESH = `
  WITH lock AS MATERIALIZED (SELECT pg_try_advisory_xact_lock(${REFRESH_LOCK}) AS held),
  fresh AS MATERIALIZED (
    SELECT w AS word, count(*)::int AS uses FROM (${LIBRARY_WORDS}) x(w)
    WHERE w <> '' AND (SELECT held FROM lock) GROUP BY w
  ),
  gone AS (
    DELETE FROM search_words s WHERE (SELECT held FROM lock) AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.word = s.word) RETURNING 1
  ),
  added AS (
    INSERT INTO search_words (word, uses) SELECT word, uses FROM fresh ORDER BY word
    ON CONFLICT (word) DO UPDATE SET uses = EXCLUDED.uses WHERE search_words.uses <> EXCLUDED.uses RETURNING 1
  ),
  version AS (UPDATE search_words_version SET library_change = (SELECT max(id) FROM library_changes) WHERE (SELECT held FROM lock))
  SELECT (SELECT count(*) FROM gone) + (SELECT count(*) FROM added) AS changed`

// New entries wait in a GIN index's pending list, which every search would read through
// (20 ms for a first scan's words against 0.1 ms once merged), and the planner costs the word
// index from figures only VACUUM writes: without them it scans all the words instead. PGlite
// has no autovacuum, and PostgreSQL's comes too late for the first searches after a scan.
const TIDY = [
  'VACUUM (ANALYZE) search_words',
  "SELECT gin_clean_pending_list('tracks_search_words_idx'::regclass), gin_clean_pending_list('albums_search_words_idx'::regclass), " +
    "gin_clean_pending_list('artists_search_words_idx'::regclass)"
]

export async function refreshSearchWords (db: Queryable): Promise<void> {
  const { rows } = await db.query<{ changed: string }>(REFRESH)
  if (Number(rows[0].changed) === 0) return
  for (const sql of TIDY) await db.query(sql)
}

async function isStale (db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ stale: boolean }>(
    'SELECT library_change < (SELECT max(id) FROM library_changes) AS stale FROM search_words_version')
  return rows[0]?.stale ?? true
}

// One refresh at a time per database handle: searches arriving while one runs wait for it
// rather than starting their own.
const refreshing = new WeakMap<Queryable, Promise<void>>()

// Called before every search: whatever wrote rows (a scan, a test's fixture, a bench's seed),
// the words are the library's. After a scan the finish phase has already refreshed them.
export async function freshSearchWords (db: Queryable): Promise<void> {
  const running = refreshing.get(db)
  if (running !== undefined) return await running
  if (!(await isStale(db))) return
  const run = refreshSearchWords(db).finally(() => refreshing.delete(db))
  refreshing.set(db, run)
  await run
}

// Above this many words a query word (one or two letters, a common syllable) narrows nothing:
// the search then tests the rows' text directly, where such a pattern matches early.
export const MAX_WORDS = 500
// The closest words to a mistyped one; more adds rows, not better ones.
const SIMILAR_WORDS = 20

// Where each query word must sit in a row's text for the text to contain the whole query:
// alone, it may be inside a word; of several, the first ends a word, the last starts one and
// the others are whole words.
function substringPatterns (words: string[]): string[] {
  const e = words.map(escapeLike)
  if (e.length === 1) return [`%${e[0]}%`]
  return e.map((w, i) => i === 0 ? `%${w}` : i === e.length - 1 ? `${w}%` : w)
}

// Library words a query word may stand for, and how often they occur in all.
export interface WordSet {
  words: string[]
  uses: number
}

type Lookup = (param: string) => string

// One statement for every query word: each column is one word's set.
async function lookUp (db: Queryable, values: string[], lookup: Lookup): Promise<WordSet[]> {
  const columns = values.map((_, i) =>
    `(SELECT json_build_object('words', coalesce(array_agg(word), '{}'), 'uses', coalesce(sum(uses), 0)) FROM (${lookup(`$${i + 1}`)}) x) AS w${i}`)
  const { rows } = await db.query<Record<string, WordSet>>(`SELECT ${columns.join(', ')}`, values)
  return values.map((_, i) => rows[0][`w${i}`])
}

// Per query word, the library words it may stand for in a substring match; null for a word
// matching more than MAX_WORDS (it narrows nothing). No words: nothing in the library holds
// it, so nothing contains the query.
export async function substringWords (db: Queryable, words: string[]): Promise<Array<WordSet | null>> {
  const sets = await lookUp(db, substringPatterns(words), (p) => `SELECT word, uses FROM search_words WHERE word LIKE ${p} LIMIT ${MAX_WORDS + 1}`)
  return sets.map((s) => s.words.length > MAX_WORDS ? null : s)
}

// Per query word, the library words within the fuzzy threshold of it (pg_trgm's `<%`, the
// session's word-similarity threshold), closest first.
export async function similarWords (db: Queryable, words: string[]): Promise<WordSet[]> {
  return await lookUp(db, words, (p) =>
    `SELECT word, uses FROM search_words WHERE ${p} <% word ORDER BY word_similarity(${p}, word) DESC, word LIMIT ${SIMILAR_WORDS}`)
}
