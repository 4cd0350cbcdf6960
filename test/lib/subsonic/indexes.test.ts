import t from 'tap'
import { artistIndex, indexKey, indexLetter } from '../../../lib/subsonic/indexes.js'
import { searchWords } from '../../../lib/subsonic/search-query.js'

t.test('index letters: articles dropped, accents folded, the rest under #', async (t) => {
  const cases: Array<[string, string]> = [
    ['The Beatles', 'B'], ['Björk', 'B'], ['Édith Piaf', 'E'], ['los lobos', 'L'], ['Los Lobos', 'L'],
    ['Die Ärzte', 'A'], ['La Roux', 'R'], ['Ørjan Nilsen', 'O'], ['10cc', '#'], ['!!!', '#'],
    ['坂本龍一', '#'], ['Мумий Тролль', '#'], ['The', 'T'], ['Theatre of Tragedy', 'T'], ['', '#']
  ]
  for (const [name, letter] of cases) t.equal(indexLetter(name), letter, name)
  // A lone article is a name, not an article.
  t.equal(indexKey('The'), 'the')
  t.equal(indexKey('The  Beatles'), 'beatles')
})

t.test('index groups: letters in order, # last, names by key then id', async (t) => {
  const node = (id: string, name: string) => ({ id, name })
  const index = artistIndex([
    node('5', '10cc'), node('2', 'Björk'), node('1', 'The Beatles'), node('4', 'ABBA'),
    node('3', 'Bjork'), node('6', 'Zz Top')
  ])
  t.same(index.map((i) => i.name), ['A', 'B', 'Z', '#'])
  t.same((index[1].artist as Array<{ id: string }>).map((a) => a.id), ['1', '2', '3'])
  t.same(artistIndex([]), [])
})

t.test('search words: the whole library for empty, quoted empty and star queries', async (t) => {
  for (const q of [undefined, '', ' ', '""', '*', '"*"', '**']) t.equal(searchWords(q), undefined, JSON.stringify(q))
  t.equal(searchWords('"come together"'), 'come together')
  t.equal(searchWords('jog*'), 'jog')
  t.equal(searchWords(' Hunter '), 'Hunter')
  t.equal(searchWords('"unbalanced'), '"unbalanced')
})
