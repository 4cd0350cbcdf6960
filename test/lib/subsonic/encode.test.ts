import t from 'tap'
import { encode } from '../../../lib/subsonic/encode.js'
import { ok } from '../../../lib/subsonic/response.js'
import { canonicalFromJson, canonicalFromXml } from '../../fixtures/subsonic-xml.js'

const song = (i: number, title = `Song ${i}`): Record<string, string | number | boolean | Array<{ name: string }>> =>
  ({ id: `id-${i}`, title, isDir: false, duration: 200 + i, genres: [{ name: 'Rock' }, { name: 'Pop & Roll' }] })

async function bothTrees (body: Parameters<typeof ok>[0]): Promise<{ xml: ReturnType<typeof canonicalFromXml>['tree'], json: ReturnType<typeof canonicalFromJson> }> {
  const envelope = ok(body)
  return {
    xml: canonicalFromXml((await encode(envelope, 'xml')).body).tree,
    json: canonicalFromJson((await encode(envelope, 'json')).body)
  }
}

t.test('what tags may hold reads back the same from XML as from JSON', async (t) => {
  const titles = ['line1\nline2\ttab\rcr', 'q"uo\'te <b>&amp;</b>', 'Sigur Rós 𝄞', '  spaced  ', ']]><!--', 'a\u0001b']
  for (const title of titles) {
    const { xml, json } = await bothTrees({ song: song(1, title) })
    const expected = title.split('\u0001').join('')
    t.equal(xml.children[0][1].attributes.title, expected, `${JSON.stringify(title)} in an attribute`)
    t.equal(json.children[0][1].attributes.title, title)
  }
  const lyrics = await bothTrees({ lyrics: { artist: 'A', value: 'one\ntwo & <three>' } })
  t.equal(lyrics.xml.children[0][1].text, 'one\ntwo & <three>', 'element text keeps its line breaks')
})

t.test('long lists are written in chunks that read back as one list, in order', async (t) => {
  for (const count of [0, 1, 250, 251, 1234]) {
    const entries = Array.from({ length: count }, (_, i) => song(i))
    const { xml, json } = await bothTrees({ playlist: { id: 'p', name: 'Long', entry: entries }, other: { entry: entries.slice(0, 3) } })
    t.same(xml, json, `${count} entries`)
    t.equal(xml.children[0][1].children.length, count * 1)
  }
})

t.test('a marker-like value in the data is only data', async (t) => {
  const entries = Array.from({ length: 300 }, (_, i) => song(i, '<entry>deferred-00</entry>'))
  const { xml, json } = await bothTrees({ playlist: { entry: entries } })
  t.same(xml, json)
})
