import t from 'tap'
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { tempDir } from '../../helper.js'
import { asUnprivileged, handToUnprivileged } from '../../fixtures/unprivileged.js'
import { isAudioPath, AUDIO_EXTENSIONS } from '../../../lib/scan/audio-files.js'
import { walkAudio, resolveRoot, RootUnavailableError, type WalkResult } from '../../../lib/scan/walk.js'

t.test('every listed extension is audio, in any case', async (t) => {
  for (const ext of ['mp3', 'mp2', 'mp1', 'aac', 'm4a', 'm4b', 'mp4', 'flac', 'ogg', 'oga', 'opus', 'spx', 'wav', 'bwf', 'aif', 'aiff', 'aifc', 'wma', 'asf', 'ape', 'wv', 'mpc', 'dsf', 'dff', 'mka', 'webm', 'weba']) {
    t.ok(isAudioPath(`Dir/Song.${ext}`), ext)
    t.ok(isAudioPath(`Dir/Song.${ext.toUpperCase()}`), ext.toUpperCase())
  }
  t.equal(AUDIO_EXTENSIONS.size, 27)
  for (const name of ['cover.jpg', 'notes.txt', 'song.mp3.part', 'mp3', 'dir.flac/readme', '.flac']) t.notOk(isAudioPath(name), name)
})

t.test('the walk skips hidden entries, non-audio files and links out of the root', async (t) => {
  const root = await tempDir(t)
  const outside = await tempDir(t)
  await mkdir(join(root, 'A', 'B'), { recursive: true })
  await mkdir(join(root, '.cache'), { recursive: true })
  await writeFile(join(root, 'A', 'B', '01.flac'), 'x')
  await writeFile(join(root, 'A', 'B', 'Cover.JPG'), 'img')
  await writeFile(join(root, 'A', 'B', 'folder.png'), 'img')
  await writeFile(join(root, 'A', 'readme.txt'), 'x')
  await writeFile(join(root, '.cache', 'x.mp3'), 'x')
  await writeFile(join(root, 'A', '.hidden.mp3'), 'x')
  await writeFile(join(outside, 'secret.mp3'), 'x')
  await mkdir(join(outside, 'dir'))
  await writeFile(join(outside, 'dir', 'more.mp3'), 'x')
  await symlink(join(outside, 'secret.mp3'), join(root, 'escape.mp3'))
  await symlink(join(outside, 'dir'), join(root, 'escape-dir'))
  await symlink(join(root, 'A', 'B', '01.flac'), join(root, 'inside-link.flac'))

  const result: WalkResult = { folderCovers: new Map() }
  const real = await resolveRoot(root)
  const files = []
  for await (const f of walkAudio(real, result)) files.push(f)
  t.same(files.map((f) => f.path).sort(), ['A/B/01.flac', 'inside-link.flac'])
  t.equal(files[0].size, 1)
  t.ok(Number.isInteger(files[0].mtimeMs))
  t.same([...result.folderCovers], [['A/B', 'A/B/Cover.JPG']], 'cover.* wins over folder.*')
})

t.test('a missing root or a file as root is refused', async (t) => {
  const root = await tempDir(t)
  await t.rejects(resolveRoot(join(root, 'nope')), RootUnavailableError)
  await writeFile(join(root, 'file'), 'x')
  await t.rejects(resolveRoot(join(root, 'file')), RootUnavailableError)
})

t.test('the walk names the folders it could not read and the ones with no entries', async (t) => {
  const root = await tempDir(t)
  await mkdir(join(root, 'Open', 'Empty'), { recursive: true })
  await mkdir(join(root, 'Closed', 'Inner'), { recursive: true })
  await mkdir(join(root, '.hidden-empty'), { recursive: true })
  await writeFile(join(root, 'Open', '01.mp3'), 'x')
  await writeFile(join(root, 'Closed', '02.mp3'), 'x')
  await writeFile(join(root, 'Closed', 'Inner', '03.mp3'), 'x')
  await handToUnprivileged(root)
  await mkdir(join(root, '.Trash-1000', 'files'), { recursive: true })
  await chmod(join(root, 'Closed'), 0o000)
  await chmod(join(root, '.Trash-1000'), 0o000)
  t.teardown(async () => { await chmod(join(root, 'Closed'), 0o755); await chmod(join(root, '.Trash-1000'), 0o755) })

  const result: WalkResult = { folderCovers: new Map() }
  const real = await resolveRoot(root)
  const files = await asUnprivileged(async () => {
    const out = []
    for await (const f of walkAudio(real, result)) out.push(f.path)
    return out
  })
  t.same(files, ['Open/01.mp3'])
  t.same([...(result.unreadable ?? [])], [['Closed', 'EACCES']], 'the unreadable folder, with the reason; hidden ones are not news')
  t.same(result.emptyFolders, ['Open/Empty'], 'an empty folder; hidden ones are not walked')

  const readable: WalkResult = { folderCovers: new Map() }
  await chmod(join(root, 'Closed'), 0o755)
  for await (const f of walkAudio(real, readable)) t.ok(f.path)
  t.equal(readable.unreadable, undefined, 'nothing unreadable once it can be read')
})

t.test('a file name in another encoding is skipped alone; its folder is kept, not dropped', async (t) => {
  const root = await tempDir(t, 'sonantica-walk-latin1-')
  await mkdir(join(root, 'Album'), { recursive: true })
  await writeFile(join(root, 'Album', '01.mp3'), 'x')
  await writeFile(join(root, 'Album', '02.mp3'), 'x')
  // "Café.mp3" as an old Windows or Samba share wrote it: Latin-1, not UTF-8.
  await writeFile(Buffer.concat([Buffer.from(join(root, 'Album', 'Caf')), Buffer.from([0xe9]), Buffer.from('.mp3')]), 'x')
  const result: WalkResult = { folderCovers: new Map() }
  const files = []
  for await (const f of walkAudio(await resolveRoot(root), result)) files.push(f.path)
  t.same(files.sort(), ['Album/01.mp3', 'Album/02.mp3'], 'the folder\'s other files are walked')
  t.same([...(result.unreadable ?? [])], [['Album', 'ENOENT']], 'and the folder is reported, so none of its tracks is removed')
})
