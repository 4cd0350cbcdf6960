// Search over the folded name and search columns, in tiers of decreasing relevance:
//   1. the name starts with the query                ("beatles" -> "Beatles Forever")
//   2. the query appears in the search text, where it starts a word before where it does not
//      ("sigur ros" -> tracks of "Sigur Rós", then "ight" -> "Midnight")
//   3. fuzzy: trigram word similarity (<%), closest first ("beatls" -> "The Beatles")
// A tier runs only when the ones before it left the limit unfilled, and tiers 2 and 3 rank at
// most CANDIDATES rows, so neither a common word nor a typo of one makes the server rank (or
// recheck) thousands of rows. Every condition is served by an index (sql/001, sql/002).
import type { AlbumT, ArtistT, SearchResultT, TrackT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import { albumsByIds } from './album-repository.js'
import { artistsByIds } from './artist-repository.js'
import { tracksByIds, type Viewer } from './track-row.js'
import { Params, escapeLike, foldedWords } from '../db/sql-parts.js'

interface Kind {
  from: string
  id: string
  name: string
  search: string
  order: string
}

const TRACKS: Kind = { from: 'tracks t', id: 't.id', name: 't.sort_key', search: 't.search_key', order: 't.sort_key, t.id' }
const ALBUMS: Kind = { from: 'albums al', id: 'al.id', name: 'al.title_key', search: 'al.search_key', order: 'al.sort_key, al.id' }
const ARTISTS: Kind = { from: 'artists a', id: 'a.id', name: 'a.name_key', search: 'a.name_key', order: 'a.sort_key, a.id' }

const CANDIDATES = 300

// pg_trgm's default word-similarity threshold (0.6) misses a swapped pair of letters in a short
// word: "electirc" is 0.56 from "electric", "vespretine" 0.47 from "vespertine". At 0.45 both
// are found; nonsense still matches nothing, and the fuzzy tier ranks closest first anyway.
// Set on every database session (plugins/db.ts), since `<%` reads it from there.
export const SEARCH_SESSION_SETTINGS: Readonly<Record<string, string>> = { 'pg_trgm.word_similarity_threshold': '0.45' }

async function rankedIds (db: Queryable, kind: Kind, query: string, limit: number): Promise<string[]> {
  const e = escapeLike(query)
  const { from, id, name, search, order } = kind
  // Each tier binds only what it uses: an unused parameter has no type PostgreSQL can infer.
  const tiers = [
    // Byte order (USING ~<~) lets the prefix index both find and order the matches, so a
    // common first word ("midnight ...") stops after `limit` rows instead of sorting them all.
    (p: Params) => `SELECT ${id} AS id FROM ${from} WHERE ${name} LIKE ${p.add(`${e}%`)} ORDER BY ${name} USING ~<~, ${id} LIMIT ${p.add(limit)}`,
    (p: Params) => {
      const prefix = p.add(`${e}%`)
      return `WITH m AS MATERIALIZED (
          SELECT ${id} AS id, ${name} AS name, ${search} AS search, ${order.split(',')[0]} AS k FROM ${from}
          WHERE ${search} LIKE ${p.add(`%${e}%`)} AND NOT ${name} LIKE ${prefix} LIMIT ${CANDIDATES}
        )
        SELECT id FROM m ORDER BY (search LIKE ${prefix} OR search LIKE ${p.add(`% ${e}%`)}) DESC, k, id LIMIT ${p.add(limit)}`
    },
    (p: Params) => {
      const q = p.add(query)
      return `WITH c AS MATERIALIZED (
          SELECT ${id} AS id, ${search} AS search, ${order.split(',')[0]} AS k FROM ${from}
          WHERE ${q} <% ${search} AND NOT ${search} LIKE ${p.add(`%${e}%`)} LIMIT ${CANDIDATES}
        )
        SELECT id FROM c ORDER BY word_similarity(${q}, search) DESC, k, id LIMIT ${p.add(limit)}`
    }
  ]
  const ids: string[] = []
  for (const tier of tiers) {
    const params = new Params()
    const sql = tier(params)
    // Planned per call, not prepared: the best plan depends on the pattern (a prefix range, a
    // trigram bitmap, or a walk of the sort index), which a generic plan cannot know.
    const { rows } = await db.query<{ id: string }>(sql, params.values)
    for (const row of rows) if (ids.length < limit) ids.push(row.id)
    if (ids.length >= limit) break
  }
  return ids
}

// Tracks show the viewer's state (lib/library/track-row.ts); the ranking is everyone's.
export async function searchTracks (db: Queryable, viewer: Viewer, query: string, limit: number): Promise<TrackT[]> {
  return tracksByIds(db, viewer, await rankedIds(db, TRACKS, query, limit))
}

export async function searchAlbums (db: Queryable, query: string, limit: number): Promise<AlbumT[]> {
  return albumsByIds(db, await rankedIds(db, ALBUMS, query, limit))
}

export async function searchArtists (db: Queryable, query: string, limit: number): Promise<ArtistT[]> {
  return artistsByIds(db, await rankedIds(db, ARTISTS, query, limit))
}

export async function search (db: Queryable, viewer: Viewer, text: string, limit: number): Promise<SearchResultT> {
  const query = foldedWords(text).join(' ')
  if (query === '') return { tracks: [], albums: [], artists: [] }
  const [tracks, albums, artists] = await Promise.all([
    searchTracks(db, viewer, query, limit),
    searchAlbums(db, query, limit),
    searchArtists(db, query, limit)
  ])
  return { tracks, albums, artists }
}
