import t from 'tap'
import { parseLrc, LRC_MAX_CHARS, LRC_MAX_LINES } from '../../../lib/lyrics/lrc.js'

t.test('timestamp forms: minutes of one or more digits, no fraction, tenths, hundredths, milliseconds', async (t) => {
  const lrc = parseLrc([
    '[00:01]no fraction',
    '[00:02.5]tenths',
    '[00:03.25]hundredths',
    '[00:04.125]milliseconds',
    '[1:05.50]one-digit minutes',
    '[100:00.00]three-digit minutes',
    '[00:06:75]colon before hundredths'
  ].join('\n'))
  t.equal(lrc.synced, true)
  t.same(lrc.lines, [
    { startMs: 1000, text: 'no fraction' },
    { startMs: 2500, text: 'tenths' },
    { startMs: 3250, text: 'hundredths' },
    { startMs: 4125, text: 'milliseconds' },
    { startMs: 6750, text: 'colon before hundredths' },
    { startMs: 65500, text: 'one-digit minutes' },
    { startMs: 6_000_000, text: 'three-digit minutes' }
  ])
})

t.test('several timestamps on one line give one line each, and all lines are sorted by start', async (t) => {
  const lrc = parseLrc('[00:30.00]verse\n[00:12.00][01:30.00]chorus\n[00:05.00]intro')
  t.same(lrc.lines, [
    { startMs: 5000, text: 'intro' },
    { startMs: 12000, text: 'chorus' },
    { startMs: 30000, text: 'verse' },
    { startMs: 90000, text: 'chorus' }
  ])
})

t.test('lines with the same start keep their order', async (t) => {
  const lrc = parseLrc('[00:02.00]first\n[00:01.00]zero\n[00:02.00]second')
  t.same(lrc.lines.map((l) => l.text), ['zero', 'first', 'second'])
})

t.test('ID tags are metadata, not lines', async (t) => {
  const lrc = parseLrc([
    '[ar:Ann Artist]',
    '[ti: The Song ]',
    '[al:Album]',
    '[by:someone]',
    '[length:03:21]',
    '[la:en]',
    '[offset:+250]',
    '[re:editor]',
    '[ve:1.0]',
    '[#:a comment]',
    '[00:01.00]only line'
  ].join('\n'))
  t.same(lrc, { synced: true, offsetMs: 250, lang: 'en', artist: 'Ann Artist', title: 'The Song', lines: [{ startMs: 1000, text: 'only line' }] })
})

t.test('the offset may be negative, and [lang:] names the language too', async (t) => {
  t.match(parseLrc('[offset:-1500]\n[lang:de]\n[00:01.00]x'), { offsetMs: -1500, lang: 'de' })
  t.equal(parseLrc('[offset:soon]\n[00:01.00]x').offsetMs, 0, 'a malformed offset is ignored')
  t.equal(parseLrc('[offset:-0]\n[00:01.00]x').offsetMs, 0)
  t.equal(parseLrc('[AR:Upper]\n[00:01.00]x').artist, 'Upper', 'tag names ignore case')
  t.equal(parseLrc('[ar:]\n[00:01.00]x').artist, undefined, 'an empty tag sets nothing')
})

t.test('enhanced word timings are removed from the text', async (t) => {
  const lrc = parseLrc('[00:12.00]<00:12.00>Hello <00:12.50>wor<00:12.80>ld<00:13.00>')
  t.same(lrc.lines, [{ startMs: 12000, text: 'Hello world' }])
})

t.test('CRLF, CR and LF line endings, a BOM and blank lines', async (t) => {
  const expected = [{ startMs: 1000, text: 'one' }, { startMs: 2000, text: 'two' }, { startMs: 3000, text: 'three' }]
  t.same(parseLrc('\uFEFF[ar:A]\r\n\r\n[00:01.00]one\r\n[00:02.00]two\r\n\r\n[00:03.00]three\r\n').lines, expected)
  t.same(parseLrc('[00:01.00]one\r[00:02.00]two\r[00:03.00]three').lines, expected)
  t.equal(parseLrc('\uFEFF[ar:A]\n[00:01.00]one').artist, 'A', 'the BOM does not hide the first tag')
})

t.test('a timestamp with no text is an empty line (a pause on screen)', async (t) => {
  t.same(parseLrc('[00:01.00]sung\n[00:04.00]\n[00:06.00]again').lines, [
    { startMs: 1000, text: 'sung' }, { startMs: 4000, text: '' }, { startMs: 6000, text: 'again' }
  ])
})

t.test('in synced lyrics, lines without a timestamp are dropped', async (t) => {
  t.same(parseLrc('stray note\n[00:01.00]sung').lines, [{ startMs: 1000, text: 'sung' }])
})

t.test('text without timestamps is unsynced: one line per text line', async (t) => {
  const lrc = parseLrc('\n\n  \nFirst verse\nstill first\n\nSecond verse\n\n\n')
  t.same(lrc, {
    synced: false,
    offsetMs: 0,
    lines: [{ text: 'First verse' }, { text: 'still first' }, { text: '' }, { text: 'Second verse' }]
  })
})

t.test('unsynced text keeps its own bracketed notes, but not the known ID tags', async (t) => {
  const lrc = parseLrc('[ti:Song]\n[Chorus: Ann]\n[Verse 1]\nWords')
  t.equal(lrc.title, 'Song')
  t.same(lrc.lines, [{ text: '[Chorus: Ann]' }, { text: '[Verse 1]' }, { text: 'Words' }])
})

t.test('bracketed text that is not a timestamp stays in the line', async (t) => {
  t.same(parseLrc('[00:61]not a time\n[0x:10.00]nor this').lines, [{ text: '[00:61]not a time' }, { text: '[0x:10.00]nor this' }])
  t.same(parseLrc('[00:01.00][Chorus] la la').lines, [{ startMs: 1000, text: '[Chorus] la la' }])
})

t.test('empty and whitespace-only input give no lines', async (t) => {
  t.same(parseLrc(''), { synced: false, offsetMs: 0, lines: [] })
  t.same(parseLrc('\uFEFF\r\n \n\t'), { synced: false, offsetMs: 0, lines: [] })
  t.same(parseLrc('[ar:A]\n[ti:T]'), { synced: false, offsetMs: 0, lines: [], artist: 'A', title: 'T' })
})

t.test('input past the caps is ignored', async (t) => {
  const many = Array.from({ length: LRC_MAX_LINES + 50 }, (_, i) => `[00:00.${String(i % 1000).padStart(3, '0')}]line ${i}`).join('\n')
  const lrc = parseLrc(many)
  t.equal(lrc.lines.length, LRC_MAX_LINES)
  t.notOk(lrc.lines.some((l) => l.text === `line ${LRC_MAX_LINES}`), 'the first line past the cap is not read')

  const long = '[00:01.00]early\n' + 'x'.repeat(LRC_MAX_CHARS) + '\n[00:02.00]beyond the cap'
  t.same(parseLrc(long).lines.map((l) => l.text), ['early'], 'a line that starts past 1 MiB is not read')

  const start = Date.now()
  parseLrc('['.repeat(LRC_MAX_CHARS * 4))
  parseLrc('[00:01.00]'.repeat(LRC_MAX_CHARS / 8))
  t.ok(Date.now() - start < 2000, 'pathological input parses quickly')
})
