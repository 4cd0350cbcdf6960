// What a track's length costs when its headers do not give it: npm run bench:duration
// Encodes the same music twice with ffmpeg (LAME VBR, -q:a 2): with a Xing header, and with
// -write_xing 0, which leaves only the frames to count. Then times the scanner's own parse
// (lib/scan/parse.ts: a header pass, and the full frame-counting pass only when the header pass
// found no length) on each, and music-metadata's plain header pass on the header-less file for
// comparison. Also times what reading a row as a Track adds for the short codec name and kbps.
import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseFile } from 'music-metadata'
import { parseAudio } from '../lib/scan/parse.js'
import { createParsePool } from '../lib/scan/parse-pool.js'
import { kbps, shortCodec } from '../lib/library/audio-format.js'

const SECONDS = Number(process.env.BENCH_SECONDS ?? 240)
const RUNS = Number(process.env.BENCH_RUNS ?? 15)
const dir = await mkdtemp(join(tmpdir(), 'sonantica-duration-'))

function encode (name: string, xing: boolean): string {
  const out = join(dir, name)
  // Tone, noise, tone: LAME's VBR picks very different bitrates for them.
  const third = SECONDS / 3
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `sine=frequency=440:duration=${third}`,
    '-f', 'lavfi', '-i', `anoisesrc=d=${third}:a=0.3`,
    '-f', 'lavfi', '-i', `sine=frequency=660:duration=${third}`,
    '-filter_complex', '[0][1][2]concat=n=3:v=0:a=1', '-ac', '2', '-ar', '44100',
    '-c:a', 'libmp3lame', '-q:a', '2', '-write_xing', xing ? '1' : '0', out])
  return out
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]
}

async function time (label: string, file: string, fn: () => Promise<number | null>): Promise<void> {
  const ms: number[] = []
  let duration: number | null = null
  await fn() // warm-up
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now()
    duration = await fn()
    ms.push(performance.now() - t0)
  }
  const mb = (await stat(file)).size / 1e6
  console.log(`| ${label} | ${mb.toFixed(2)} MB | ${duration === null ? 'none' : duration.toFixed(2) + ' s'} | ${median(ms).toFixed(1)} | ${Math.max(...ms).toFixed(1)} |`)
}

try {
  const withXing = encode('xing.mp3', true)
  const noXing = encode('noxing.mp3', false)
  console.log(`${SECONDS} s of stereo LAME VBR -q:a 2, ${RUNS} runs each, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}\n`)
  console.log('| parse | file | duration found | median ms | max ms |\n| --- | --- | --- | --- | --- |')
  const scanner = (file: string) => async () => {
    const o = await parseAudio(file, 'x.mp3')
    return o.kind === 'track' ? o.tags.duration : null
  }
  await time('scanner, with Xing header', withXing, scanner(withXing))
  await time('scanner, no Xing header (header pass + frame count)', noXing, scanner(noXing))
  // Scans parse in worker threads, which read the file synchronously (lib/scan/cached-file-tokenizer.ts).
  const pool = createParsePool(1)
  try {
    const threaded = (file: string) => async () => {
      const size = (await stat(file)).size
      const [o] = await pool.parse(dir, [{ path: file.slice(dir.length + 1), size, mtimeMs: 0 }])
      return o.kind === 'track' ? o.tags.duration : null
    }
    await time('scanner in a parse thread, with Xing header', withXing, threaded(withXing))
    await time('scanner in a parse thread, no Xing header', noXing, threaded(noXing))
  } finally {
    await pool.close()
  }
  await time('header pass only, no Xing header', noXing, async () => (await parseFile(noXing, { duration: false })).format.duration ?? null)
  await time('frame count only, no Xing header', noXing, async () => (await parseFile(noXing, { duration: true })).format.duration ?? null)

  // Read side: the short name and kbps for 1,000,000 rows of mixed formats.
  const pairs: Array<[string, string, number]> = [['MPEG', 'MPEG 1 Layer 3', 320000], ['FLAC', 'FLAC', 912345], ['M4A/isom/iso2', 'MPEG-4/AAC', 256000], ['Ogg', 'Opus', 128000], ['WavPack', 'PCM', 700000]]
  const t0 = performance.now()
  let sink = 0
  for (let i = 0; i < 1_000_000; i++) {
    const [container, codec, bps] = pairs[i % pairs.length]
    sink += (shortCodec(container, codec)?.length ?? 0) + (kbps(bps) ?? 0)
  }
  // t ms over 1e6 rows is t ns a row.
  console.log(`\nshort codec name + kbps: ${(performance.now() - t0).toFixed(0)} ns per row over 1,000,000 rows (${sink > 0 ? 'ok' : ''})`)
} finally {
  await rm(dir, { recursive: true, force: true })
}
