import t from 'tap'
import { execFile, spawn } from 'node:child_process'
import { closeSync, openSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ffmpegArgs, SOURCE_FD, type TranscodeSpec } from '../../../lib/transcode/ffmpeg-args.js'
import { TARGET_FORMATS, type TargetFormat } from '../../../lib/transcode/formats.js'
import { writeAudioFixture } from '../../fixtures/audio.js'
import { decodedSeconds, describe, saveBody, TARGET_CODEC } from '../../fixtures/transcoded.js'
import { tempDir } from '../../helper.js'

const run = promisify(execFile)
const spec = (over: Partial<TranscodeSpec> = {}): TranscodeSpec => ({ format: 'opus', bitrate: 128, offset: 0, channels: 2, ...over })
const after = (args: string[], flag: string): string | undefined => args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined

t.test('the argument array', async (t) => {
  t.test('-ss goes before -i (a demuxer seek), only with an offset', async (t) => {
    const args = ffmpegArgs(spec({ offset: 30 }))
    t.ok(args.indexOf('-ss') >= 0 && args.indexOf('-ss') < args.indexOf('-i'))
    t.equal(after(args, '-ss'), '30.000')
    t.equal(after(ffmpegArgs(spec({ offset: 12.3456 })), '-ss'), '12.346')
    t.notOk(ffmpegArgs(spec()).includes('-ss'))
  })
  t.test('the source is the inherited descriptor', async (t) => {
    t.equal(after(ffmpegArgs(spec()), '-i'), `file:/dev/fd/${SOURCE_FD}`)
    t.equal(SOURCE_FD, 3)
  })
  t.test('first audio stream only, no tags, cover or chapters', async (t) => {
    const args = ffmpegArgs(spec())
    t.equal(after(args, '-map'), '0:a:0')
    t.equal(args.filter((a) => a === '-map').length, 1, 'nothing else mapped')
    t.equal(after(args, '-map_metadata'), '-1')
    t.equal(after(args, '-map_chapters'), '-1')
    for (const flag of ['-vn', '-sn', '-dn', '-nostdin']) t.ok(args.includes(flag), flag)
    t.equal(after(args, '-fflags'), '+bitexact')
  })
  t.test('channels: mono and stereo stay, more (or unknown) are downmixed', async (t) => {
    // Always given: a layout-less mono source (Speex) is refused by the AAC encoder otherwise.
    t.equal(after(ffmpegArgs(spec({ channels: 1 })), '-ac'), '1', 'mono stays mono')
    t.equal(after(ffmpegArgs(spec({ channels: 2 })), '-ac'), '2')
    t.equal(after(ffmpegArgs(spec({ channels: 6 })), '-ac'), '2')
    t.equal(after(ffmpegArgs(spec({ channels: null })), '-ac'), '2')
  })
  t.test('encoders, muxers, bitrates and rates per target', async (t) => {
    const expected: Record<TargetFormat, [string, string]> = {
      opus: ['libopus', 'ogg'], mp3: ['libmp3lame', 'mp3'], aac: ['aac', 'adts'], flac: ['flac', 'flac']
    }
    for (const format of TARGET_FORMATS) {
      const args = ffmpegArgs(spec({ format, bitrate: format === 'flac' ? null : 96 }))
      t.equal(after(args, '-c:a'), expected[format][0], `${format} encoder`)
      t.equal(after(args, '-f'), expected[format][1], `${format} muxer`)
      t.equal(args.at(-1), 'pipe:1', `${format} writes to stdout`)
      t.equal(after(args, '-b:a'), format === 'flac' ? undefined : '96k', `${format} bitrate`)
      t.equal(after(args, '-ar'), format === 'opus' ? '48000' : undefined, `${format} rate`)
    }
  })
})

// ffmpeg run exactly as the transcoder runs it: the source open as fd 3, output on stdout.
async function transcodeFile (path: string, s: TranscodeSpec): Promise<{ code: number | null, out: Buffer, stderr: string }> {
  const fd = openSync(path, 'r')
  try {
    const stdio: Array<'ignore' | 'pipe' | number> = ['ignore', 'pipe', 'pipe']
    stdio[SOURCE_FD] = fd
    const child = spawn('ffmpeg', ffmpegArgs(s), { stdio })
    const chunks: Buffer[] = []
    let stderr = ''
    child.stdout?.on('data', (c: Buffer) => chunks.push(c))
    child.stderr?.setEncoding('utf8').on('data', (c: string) => { stderr += c })
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
    return { code, out: Buffer.concat(chunks), stderr }
  } finally {
    closeSync(fd)
  }
}

t.test('ffmpeg accepts the arrays (source on fd 3)', async (t) => {
  const dir = await tempDir(t)
  const tags = { title: 'Tagged Title', artist: 'Tagged Artist', album: 'Tagged Album' }
  const source = await writeAudioFixture(dir, 'flac', { tags, cover: true, seconds: 6, name: 'source' })
  for (const format of TARGET_FORMATS) {
    for (const offset of [0, 4]) {
      const s = spec({ format, bitrate: format === 'flac' ? null : 96, offset })
      const { code, out, stderr } = await transcodeFile(source, s)
      t.equal(code, 0, `${format} at ${offset}: exit 0 ${stderr}`)
      const path = await saveBody(dir, `out-${format}-${offset}`, out)
      const got = await describe(path)
      t.equal(got.codec, TARGET_CODEC[format], `${format} codec`)
      t.equal(got.video, false, `${format}: no cover`)
      t.notOk('title' in got.tags || 'artist' in got.tags || 'album' in got.tags, `${format}: no tags (${JSON.stringify(got.tags)})`)
      const seconds = await decodedSeconds(path)
      t.ok(Math.abs(seconds - (6 - offset)) < 0.5, `${format} at ${offset}: ${seconds} s`)
    }
  }
})

t.test('channels through real ffmpeg', async (t) => {
  const dir = await tempDir(t)
  const mono = join(dir, 'mono.wav')
  const surround = join(dir, 'surround.wav')
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-ac', '1', mono])
  await run('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', '-ac', '6', surround])
  // Speex decodes to one channel with no layout ("1 channels"), which the AAC encoder refused.
  const speex = await writeAudioFixture(dir, 'spx', { seconds: 1, name: 'speex' })
  for (const format of TARGET_FORMATS) {
    const bitrate = format === 'flac' ? null : 96
    const x = await transcodeFile(speex, spec({ format, bitrate, channels: 1 }))
    t.equal(x.code, 0, `${format} from a layout-less mono source ${x.stderr}`)
    t.equal((await describe(await saveBody(dir, `x-${format}`, x.out))).channels, 1, `${format}: Speex stays mono`)
    const m = await transcodeFile(mono, spec({ format, bitrate, channels: 1 }))
    t.equal(m.code, 0, m.stderr)
    t.equal((await describe(await saveBody(dir, `m-${format}`, m.out))).channels, 1, `${format}: mono stays mono`)
    const s = await transcodeFile(surround, spec({ format, bitrate, channels: 6 }))
    t.equal(s.code, 0, s.stderr)
    t.equal((await describe(await saveBody(dir, `s-${format}`, s.out))).channels, 2, `${format}: 5.1 is downmixed to stereo`)
  }
})

// A file whose content is an ffconcat list (the scanner indexes it by its MP3 frames) must not
// make ffmpeg open the files it names (found by the outside attack).
t.test('only audio demuxers: a concat list is refused, not followed', async (t) => {
  const dir = await tempDir(t)
  const list = join(dir, 'list.mp3')
  await writeFile(list, 'ffconcat version 1.0\nfile 3\nfile 3\n')
  const { code, out, stderr } = await transcodeFile(list, { format: 'mp3', bitrate: 64, offset: 0, channels: 2 })
  t.not(code, 0)
  t.equal(out.length, 0)
  t.match(stderr, /not on whitelist|Invalid data/)
})
