// The artist index of getArtists and getIndexes: artists filed as a record shop files them,
// under the first letter of their name without a leading article ("The Beatles" under B, "Los
// Lobos" under L), accents ignored ("Björk" next to "Bjorn", "Édith Piaf" under E), and
// everything that starts with a digit, a symbol or a non-Latin letter under '#', after Z.
import { fold } from '../text-fold.js'
import type { SubsonicNode } from './response.js'

// Sent to clients as is: they strip the same articles when they sort or jump by letter.
export const IGNORED_ARTICLES = 'The El La Los Las Le Les Die Das Der'

const ARTICLE = new RegExp(`^(${IGNORED_ARTICLES.toLowerCase().split(' ').join('|')}) (?=\\S)`)

// Latin letters that Unicode does not decompose into a base letter and an accent.
const PLAIN: Readonly<Record<string, string>> = { æ: 'a', ø: 'o', œ: 'o', ß: 's', ł: 'l', đ: 'd', ð: 'd', þ: 't', ı: 'i' }

export const OTHER = '#'

// The name as it sorts: folded, without its article.
export function indexKey (name: string): string {
  const key = fold(name).replace(ARTICLE, '')
  return key.replace(/^./u, (first) => PLAIN[first] ?? first)
}

export function indexLetter (name: string): string {
  const first = indexKey(name).charAt(0)
  return /[a-z]/.test(first) ? first.toUpperCase() : OTHER
}

// Artist nodes (each with a name and an id) grouped as Subsonic's `index` elements: letters in
// order, '#' last, each letter's artists by key and then id so the order never wavers.
export function artistIndex (artists: SubsonicNode[]): SubsonicNode[] {
  const keyed = artists.map((node) => {
    const name = String(node.name)
    return { node, key: indexKey(name), letter: indexLetter(name), id: String(node.id) }
  })
  const rank = (letter: string): string => letter === OTHER ? '\uffff' : letter
  keyed.sort((a, b) => compare(rank(a.letter), rank(b.letter)) || compare(a.key, b.key) || compare(a.id, b.id))
  const index: Array<{ name: string, artist: SubsonicNode[] }> = []
  for (const { node, letter } of keyed) {
    const last = index.at(-1)
    if (last?.name === letter) last.artist.push(node)
    else index.push({ name: letter, artist: [node] })
  }
  return index
}

// By code point, the same on every machine whatever its locale.
const compare = (a: string, b: string): number => a < b ? -1 : a > b ? 1 : 0
