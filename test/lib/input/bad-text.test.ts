import t from 'tap'
import { findBadText, isBadText } from '../../../lib/input/bad-text.js'
import { jsonDepthExceeds } from '../../../lib/input/json-depth.js'
import { firstNonDecimal } from '../../../lib/input/decimal-numbers.js'

t.test('NUL and unpaired surrogates are bad text; paired surrogates are not', async (t) => {
  for (const bad of ['a\u0000b', '\u0000', '\uD800', 'x\uDC00', '\uDC00\uD800', 'ok\uD83D']) t.ok(isBadText(bad), JSON.stringify(bad))
  for (const good of ['', 'Sigur Rós', '🎵', 'a\uD83D\uDE00b', '\u0001']) t.notOk(isBadText(good), JSON.stringify(good))
})

t.test('the path of the first bad string or key is named', async (t) => {
  t.equal(findBadText('a\u0000'), '')
  t.equal(findBadText({ q: 'fine', genre: 'x\u0000' }), 'genre')
  t.equal(findBadText({ a: [{ b: 'ok' }, { c: '\uD800' }] }), 'a/1/c')
  t.equal(findBadText({ a: { 'k\u0000': 1 } }), 'a/k\\u0000')
  t.equal(findBadText({ a: [1, null, true, 'ok', { b: '🎵' }] }), null)
  let deep: unknown = 'x\u0000'
  for (let i = 0; i < 20_000; i++) deep = [deep]
  t.equal(findBadText(deep)?.split('/').length, 20_000, 'a very deep value does not exhaust the stack')
})

t.test('JSON depth is counted outside strings only', async (t) => {
  t.notOk(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 4))
  t.ok(jsonDepthExceeds('{"a":[1,{"b":[]}]}', 3))
  t.notOk(jsonDepthExceeds(JSON.stringify({ a: '[[[[[[[[{{{{{{' }), 1))
  t.notOk(jsonDepthExceeds(JSON.stringify({ a: '\\"[[[[[[[' }), 1), 'escaped quotes do not end the string')
  t.ok(jsonDepthExceeds('['.repeat(5000) + ']'.repeat(5000), 64))
  t.notOk(jsonDepthExceeds('['.repeat(64) + ']'.repeat(64), 64))
})

t.test('numbers in text must be plain decimals', async (t) => {
  const schema = { type: 'object', properties: { limit: { type: 'integer' }, q: { type: 'string' }, gain: { anyOf: [{ type: 'number' }, { type: 'null' }] } } }
  for (const limit of ['0x10', '  1', '1 ', '1e1', '+1', '1.0', '', '0b1', 'Infinity']) {
    t.same(firstNonDecimal(schema, { limit }), { key: 'limit', integer: true }, JSON.stringify(limit))
  }
  for (const limit of ['0', '10', '-1', '007', '99999999999999999999']) t.equal(firstNonDecimal(schema, { limit }), null, limit)
  t.same(firstNonDecimal(schema, { limit: ['1', '0x1'] }), { key: 'limit', integer: true }, 'every repeated value is checked')
  t.equal(firstNonDecimal(schema, { q: '0x10', other: '0x10' }), null, 'text and unknown parameters are left alone')
  t.equal(firstNonDecimal(schema, { gain: '-1.5' }), null)
  t.same(firstNonDecimal(schema, { gain: '1.' }), { key: 'gain', integer: false })
})
