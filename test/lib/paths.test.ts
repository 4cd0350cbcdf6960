import t from 'tap'
import { baseOf, dirOf, extensionOf, isStrictlyInside } from '../../lib/paths.js'

t.test('dirOf and baseOf split library-relative paths at the last slash', async (t) => {
  t.equal(dirOf('Artist/Album/01.flac'), 'Artist/Album')
  t.equal(dirOf('top.flac'), '', 'a file at the top of the library is in the root folder')
  t.equal(dirOf('a\\b/c.mp3'), 'a\\b', 'a backslash is part of a name, not a separator')
  t.equal(baseOf('Artist/Album/01.flac'), '01.flac')
  t.equal(baseOf('top.flac'), 'top.flac')
  t.equal(baseOf('Album/'), '', 'a trailing slash leaves no name')
})

t.test('extensionOf is lower-case, without the dot, and empty for dotfiles', async (t) => {
  t.equal(extensionOf('a/Song.FLAC'), 'flac')
  t.equal(extensionOf('a/archive.tar.gz'), 'gz')
  t.equal(extensionOf('a/.flac'), '', 'a hidden file named after an extension has none')
  t.equal(extensionOf('a.d/noext'), '', 'a dot in a folder name is not the file\'s extension')
  t.equal(extensionOf('noext'), '')
  t.equal(extensionOf('trailing.'), '')
})

t.test('isStrictlyInside: below the root, never the root itself or a sibling sharing its prefix', async (t) => {
  const cases: Array<[string, string, boolean, string]> = [
    ['/music', '/music/a.flac', true, 'a file in the root'],
    ['/music', '/music/x/y/z.flac', true, 'a file deep below'],
    ['/music', '/music', false, 'the root itself'],
    ['/music', '/music/', false, 'the root itself, spelled with its slash'],
    ['/music/', '/music/a.flac', true, 'a root given with its trailing slash'],
    ['/music/', '/music', false, 'the root itself, root given with its slash'],
    ['/music', '/music2/a.flac', false, 'a sibling whose name starts with the root\'s'],
    ['/music', '/musica', false, 'a sibling file sharing the prefix'],
    ['/music', '/elsewhere/a.flac', false, 'outside altogether'],
    ['/music', '/', false, 'the file system root, above the media root'],
    ['/', '/a.flac', true, 'everything is below the file system root'],
    ['/', '/', false, 'but not the file system root itself']
  ]
  for (const [root, candidate, inside, why] of cases) {
    t.equal(isStrictlyInside(root, candidate), inside, `${candidate} in ${root}: ${why}`)
  }
})
