import t from 'tap'
import type { Stats } from 'node:fs'
import { planResponse } from '../../../lib/stream/response-plan.js'

const mtime = new Date('2024-05-01T10:00:00Z')
const stats = { size: 1000, mtime, mtimeMs: mtime.getTime(), ctime: mtime, ino: 1 } as unknown as Stats
const file = { stats, contentType: 'audio/flac' }

t.test('plans', async (t) => {
  const whole = planResponse({}, file)
  t.match(whole, { status: 200, start: 0, end: 999, length: 1000 })
  t.equal(whole.headers['last-modified'], 'Wed, 01 May 2024 10:00:00 GMT')
  const tag = whole.headers.etag

  t.match(planResponse({ range: 'bytes=-100' }, file), { status: 206, start: 900, end: 999, headers: { 'content-range': 'bytes 900-999/1000' } })
  t.match(planResponse({ range: 'bytes=-5000' }, file), { status: 206, start: 0, end: 999, headers: { 'content-range': 'bytes 0-999/1000' } }, 'a suffix longer than the file selects all of it (RFC 9110 14.1.2)')
  t.match(planResponse({ range: 'bytes=1000-' }, file), { status: 416, headers: { 'content-range': 'bytes */1000' } })
  t.match(planResponse({ range: 'items=1000-' }, file), { status: 200 })
  t.match(planResponse({ range: 'bytes=0-1,5-6' }, file), { status: 200 })
  t.match(planResponse({ range: 'bytes=0-10,5-20' }, file), { status: 206, start: 0, end: 20 }, 'overlapping ranges combine')
  t.match(planResponse({ 'if-none-match': tag, 'cache-control': 'no-cache' }, file), { status: 304 })
  t.match(planResponse({ 'if-none-match': '*' }, file), { status: 304 })
  t.match(planResponse({ 'if-modified-since': 'Wed, 01 May 2024 11:00:00 GMT' }, file), { status: 304 })
  t.match(planResponse({ 'if-modified-since': 'Wed, 01 May 2024 09:00:00 GMT' }, file), { status: 200 })
  t.match(planResponse({ range: 'bytes=0-9', 'if-range': tag }, file), { status: 206 })
  t.match(planResponse({ range: 'bytes=0-9', 'if-range': 'Wed, 01 May 2024 10:00:00 GMT' }, file), { status: 206 })
  t.match(planResponse({ range: 'bytes=0-9', 'if-range': 'Wed, 01 May 2024 11:00:00 GMT' }, file), { status: 200 })
  t.match(planResponse({ range: 'bytes=0-9', 'if-range': 'not a date' }, file), { status: 200 })
})

t.test('the range unit is case-insensitive (RFC 9110 §14.1)', async (t) => {
  t.match(planResponse({ range: 'BYTES=0-5' }, file), { status: 206, start: 0, end: 5, headers: { 'content-range': 'bytes 0-5/1000', 'content-length': '6' } })
  t.match(planResponse({ range: 'Bytes=-5000' }, file), { status: 206, start: 0, end: 999 }, 'a long suffix in any case')
  t.match(planResponse({ range: 'BYTES=1000-' }, file), { status: 416, headers: { 'content-range': 'bytes */1000' } })
  t.match(planResponse({ range: 'ITEMS=0-5' }, file), { status: 200 })
})
