import t from 'tap'
import { decodePlaylistText, formatM3u, isPlaylistPath, parseM3u } from '../../../lib/playlists/m3u.js'
import { lineTarget } from '../../../lib/playlists/m3u-paths.js'

t.test('playlist files by extension, any case', async (t) => {
  for (const p of ['a.m3u', 'b/c.M3U8', 'Mix.m3u8']) t.ok(isPlaylistPath(p), p)
  for (const p of ['a.m3u.txt', 'a.pls', 'm3u', 'a.m3u9']) t.notOk(isPlaylistPath(p), p)
})

t.test('decoding: UTF-8 with and without BOM, UTF-16 with BOM, Windows-1252 otherwise', async (t) => {
  t.equal(decodePlaylistText(Buffer.from('\uFEFFRós.mp3', 'utf8')), 'Rós.mp3')
  t.equal(decodePlaylistText(Buffer.from('Rós.mp3', 'utf8')), 'Rós.mp3')
  t.equal(decodePlaylistText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Rós.mp3', 'utf16le')])), 'Rós.mp3')
  const be = Buffer.from('Rós.mp3', 'utf16le').swap16()
  t.equal(decodePlaylistText(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), 'Rós.mp3')
  t.equal(decodePlaylistText(Buffer.from([0x52, 0xf3, 0x73, 0x80])), 'Rós€', 'invalid UTF-8 is read as Windows-1252')
})

t.test('parsing: comments, blank lines, CRLF, #PLAYLIST', async (t) => {
  const parsed = parseM3u('\uFEFF#EXTM3U\r\n#PLAYLIST: Road trip \r\n\r\n#EXTINF:120,Ann - One\r\nA/one.mp3\r\n  # a comment\r\n\t\r\nB\\two.mp3\rC/three.mp3\n  spaced.mp3  ')
  t.equal(parsed.title, 'Road trip')
  t.same(parsed.entries, [
    { line: 5, text: 'A/one.mp3' },
    { line: 8, text: 'B\\two.mp3' },
    { line: 9, text: 'C/three.mp3' },
    { line: 10, text: '  spaced.mp3  ' }
  ])
  t.same(parseM3u('').entries, [])
  t.equal(parseM3u('a.mp3').title, null)
})

t.test('writing: EXTINF, one line per value, paths that would read as comments', async (t) => {
  t.equal(formatM3u('Mix\nB', [
    { path: 'A/one.mp3', title: 'One\r\n', artist: 'Ann', duration: 1.5 },
    { path: '#1.mp3', title: 'Hit', artist: '', duration: null },
    { path: ' lead.mp3', title: 'Lead', artist: 'Z', duration: 0 },
    { path: 'bad\nname.mp3', title: 'x', artist: 'y', duration: 1 }
  ]), '#EXTM3U\n#PLAYLIST:Mix B\n#EXTINF:2,Ann - One\nA/one.mp3\n#EXTINF:-1,Hit\n./#1.mp3\n#EXTINF:-1,Z - Lead\n./ lead.mp3\n')
})

t.test('an exported path reads back as the same library path, however its folders are named', async (t) => {
  const paths = ['D:/top.mp3', 'c:\\x.mp3', 'file:/b.mp3', '\\\\share\\c.mp3', '#d.mp3', ' e.mp3', 'plain/f.mp3', 'g:h.mp3']
  const text = formatM3u('x', paths.map((path) => ({ path, title: '', artist: '', duration: 1 })))
  const lines = parseM3u(text).entries.map((e) => e.text)
  t.equal(lines.length, paths.length)
  lines.forEach((line, i) => {
    const target = lineTarget(line, '', ['/media'])
    t.ok(target.kind === 'library' && target.candidates.includes(paths[i]), `${JSON.stringify(paths[i])} written as ${JSON.stringify(line)}`)
  })
})

t.test('line targets', async (t) => {
  const roots = ['/srv/music', '/mnt/real/music']
  const target = (line: string, dir = 'Mixes'): unknown => lineTarget(line, dir, roots)
  t.same(target('one.mp3'), { kind: 'library', candidates: ['Mixes/one.mp3'] }, 'relative to the playlist\'s folder')
  t.same(target('../A/one.mp3'), { kind: 'library', candidates: ['A/one.mp3'] })
  t.same(target('./A/one.mp3', ''), { kind: 'library', candidates: ['A/one.mp3'] }, 'at the top')
  t.same(target('..\\A\\one.mp3'), { kind: 'library', candidates: ['Mixes/..\\A\\one.mp3', 'A/one.mp3'] }, 'backslashes: literal first, then as separators')
  t.same(target(' one.mp3 '), { kind: 'library', candidates: ['Mixes/ one.mp3 ', 'Mixes/one.mp3'] }, 'spaces as written, then trimmed')
  t.same(target('/srv/music/A/one.mp3'), { kind: 'library', candidates: ['A/one.mp3'] }, 'absolute inside the media folder')
  t.same(target('/mnt/real/music/A/../B/two.mp3'), { kind: 'library', candidates: ['B/two.mp3'] }, 'through the resolved root')
  t.same(target('file:///srv/music/Sigur%20R%C3%B3s/a.mp3'), { kind: 'library', candidates: ['Sigur Rós/a.mp3'] }, 'file URLs are decoded')
  t.same(target('file://localhost/srv/music/a.mp3'), { kind: 'library', candidates: ['a.mp3'] })
  const outside = { kind: 'unresolvable', reason: 'outside the media folder' }
  t.same(target('/etc/passwd'), outside)
  t.same(target('/srv/music/../secret.mp3'), outside)
  t.same(target('/srv/musicx/a.mp3'), outside, 'a sibling folder with the same prefix is outside')
  t.same(target('../../x.mp3'), outside)
  t.same(target('..', ''), outside)
  t.same(target('file:///etc/passwd'), outside)
  const windows = { kind: 'unresolvable', reason: 'a Windows path, outside the media folder' }
  t.same(target('C:\\Music\\a.mp3'), windows)
  t.same(target('c:/Music/a.mp3'), windows)
  t.same(target('\\\\server\\share\\a.mp3'), windows)
  t.same(target('file:///C:/Music/a.mp3'), windows)
  t.match(target('http://example.com/a.mp3'), { kind: 'unresolvable', reason: /http URL/ })
  t.match(target('file://nas/music/a.mp3'), { kind: 'unresolvable', reason: /another host/ })
  t.match(target('file:///srv/music/%E0%A4%A'), { kind: 'unresolvable', reason: /malformed/ })
})
