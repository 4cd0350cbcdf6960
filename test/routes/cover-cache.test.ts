// The cover cache must not grow with what clients choose to send: an album is one folder however
// its id is spelt, sizes come in a few steps, and COVER_CACHE_MB caps the disk it takes.
import t from 'tap'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { buildWithEnv, testEnv, tempDir } from '../helper.js'
import { seedLibrary, albumKey, type SeedTrack } from '../fixtures/seed-library.js'
import { COVER_SIZE_STEPS } from '../../lib/cover/cover-cache.js'

const run = promisify(execFile)

async function ffmpeg (...args: string[]): Promise<void> {
  await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args])
}

async function diskBytes (dir: string): Promise<number> {
  let total = 0
  let entries
  try {
    entries = await readdir(dir, { withFileTypes: true })
  } catch {
    return 0
  }
  for (const entry of entries) {
    const path = join(dir, entry.name)
    total += entry.isDirectory() ? await diskBytes(path) : (await stat(path)).size
  }
  return total
}

t.test('ids in any case share one folder; sizes 16..2048 make one file per step at most', async (t) => {
  const media = await tempDir(t, 'sonantica-media-')
  await mkdir(join(media, 'Big'), { recursive: true })
  await ffmpeg('-f', 'lavfi', '-i', 'testsrc=s=1600x1200', '-frames:v', '1', join(media, 'Big', 'cover.png'))
  const { env } = await testEnv(t, { mediaPath: media })
  const app = await buildWithEnv(t, env)
  const seeded = await seedLibrary(app.pg, [{ path: 'Big/01.mp3', title: 'A', artist: 'Artist', album: 'Big', coverSource: 'file:Big/cover.png' }])
  const id = seeded.albumIds.get(albumKey('Artist', 'Big')) as string
  const covers = join(app.config.dataDir, 'covers')

  const spellings = [id, id.toUpperCase(), id.slice(0, 8).toUpperCase() + id.slice(8)]
  const etags = new Set<string>()
  for (const spelling of spellings) {
    const res = await app.inject(`/api/cover/${spelling}`)
    t.equal(res.statusCode, 200, spelling)
    etags.add(res.headers.etag as string)
  }
  t.equal(etags.size, 1, 'one ETag for every spelling')
  t.same(await readdir(covers), [id], 'one folder, named by the lower-case id')
  t.equal((await readdir(join(covers, id))).length, 1)

  const bySize = new Map<number, string>()
  // Every fifth size, and each step's neighbours.
  const sizes = new Set<number>([2048])
  for (let size = 16; size <= 2048; size += 5) sizes.add(size)
  for (const step of COVER_SIZE_STEPS) for (const size of [step - 1, step, step + 1]) sizes.add(size)
  for (const size of sizes) {
    const res = await app.inject(`/api/cover/${size % 2 === 0 ? id : id.toUpperCase()}?size=${size}`)
    if (res.statusCode !== 200) {
      t.fail(`size ${size}: ${res.statusCode}`)
      break
    }
    bySize.set(size, res.headers.etag as string)
  }
  t.same(await readdir(covers), [id], 'still one folder')
  const files = await readdir(join(covers, id))
  t.equal(files.length, COVER_SIZE_STEPS.length + 1, `one file per step and the original (${files.length} files)`)
  t.equal(new Set(bySize.values()).size, COVER_SIZE_STEPS.length + 1, 'as many distinct answers')
  t.equal(bySize.get(101), bySize.get(128), '101 is served from the 128 step')
  t.equal(bySize.get(1025), bySize.get(2048), 'above 1024, the original')
  t.not(bySize.get(128), bySize.get(129))
})

t.test('COVER_CACHE_MB caps the disk across albums, counting what is there at start-up', async (t) => {
  const ALBUMS = 24
  const media = await tempDir(t, 'sonantica-media-')
  const work = await tempDir(t, 'sonantica-work-')
  // Noise does not compress: every cached cover is the size of this PNG (about 190 KB).
  const noise = join(work, 'noise.png')
  await ffmpeg('-f', 'lavfi', '-i', 'nullsrc=s=256x256,geq=random(1)*255:random(1)*255:random(1)*255', '-frames:v', '1', noise)
  const coverBytes = (await stat(noise)).size
  const tracks: SeedTrack[] = []
  for (let i = 0; i < ALBUMS; i++) {
    await mkdir(join(media, `A${i}`))
    await copyFile(noise, join(media, `A${i}`, 'cover.png'))
    tracks.push({ path: `A${i}/01.mp3`, title: `T${i}`, artist: 'Artist', album: `Album ${i}`, coverSource: `file:A${i}/cover.png` })
  }
  const { env } = await testEnv(t, { mediaPath: media })
  const cap = 1024 * 1024
  const fit = Math.floor(cap / coverBytes)
  t.ok(fit >= 2 && fit < ALBUMS / 2, `${fit} covers of ${coverBytes} bytes fit in 1 MiB`)
  let ids: string[] = []
  const covers = join(env.DATA_DIR as string, 'covers')
  const cached = async (): Promise<string[]> => await readdir(covers)

  await t.test('a first run with room for all of them', async (t) => {
    const app = await buildWithEnv(t, { ...env, COVER_CACHE_MB: '64' })
    const seeded = await seedLibrary(app.pg, tracks)
    ids = tracks.map((_, i) => seeded.albumIds.get(albumKey('Artist', `Album ${i}`)) as string)
    for (const id of ids) t.equal((await app.inject(`/api/cover/${id}`)).statusCode, 200)
    t.equal(await diskBytes(covers), ALBUMS * coverBytes)
  })

  await t.test('a restart with a smaller cap keeps the most recently used and holds the cap', async (t) => {
    const app = await buildWithEnv(t, { ...env, COVER_CACHE_MB: '1' })
    const last = ids[ALBUMS - 1]
    t.equal((await app.inject(`/api/cover/${last}`)).statusCode, 200)
    t.ok(await diskBytes(covers) <= cap, 'trimmed to the cap at start-up')
    t.same((await cached()).sort(), ids.slice(ALBUMS - fit).sort(), 'the covers used last in the first run survive')

    // Used again now, the oldest survivor outlives the ones stored after it.
    const oldest = ids[ALBUMS - fit]
    t.equal((await app.inject(`/api/cover/${oldest}`)).statusCode, 200)
    for (let i = 0; i < fit - 1; i++) {
      t.equal((await app.inject(`/api/cover/${ids[i]}`)).statusCode, 200)
      const bytes = await diskBytes(covers)
      if (bytes > cap) t.fail(`${bytes} bytes on disk after album ${i}`)
    }
    t.same((await cached()).sort(), [oldest, ...ids.slice(0, fit - 1)].sort(), 'the recently used one stayed; the others went')

    for (let round = 0; round < 2; round++) {
      for (const id of ids) {
        t.equal((await app.inject(`/api/cover/${id}?size=${round === 0 ? 64 : 200}`)).statusCode, 200)
        const bytes = await diskBytes(covers)
        if (bytes > cap) t.fail(`${bytes} bytes on disk`)
      }
    }
    t.ok(await diskBytes(covers) <= cap, 'the cap held through every request')
    t.ok((await cached()).length <= ALBUMS)
  })
})
