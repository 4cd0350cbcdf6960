// The ffmpeg command line for one transcode, as an argument array (never through a shell).
import { TARGETS, type TargetFormat } from './formats.js'

export interface TranscodeSpec {
  format: TargetFormat
  // kbps; null for a lossless target.
  bitrate: number | null
  // Seconds.
  offset: number
  // The source's channels as indexed; null when unknown.
  channels: number | null
}

// The source is the descriptor the path guard opened, inherited as fd 3 and reopened by ffmpeg
// through /dev/fd/3: ffmpeg reads exactly the file that was checked to be inside the media root
// (no second lookup of a path a symlink could have changed meanwhile), and the reopened file is
// seekable, which `-ss` and MP4 sources need.
export const SOURCE_FD = 3
const SOURCE = `file:/dev/fd/${SOURCE_FD}`

// ffmpeg's demuxers for every container the scanner indexes (mov covers MP4/M4A/M4B, asf WMA,
// iff DSDIFF, matroska MKA/WebM, mp3 MP1/MP2 as well, ogg Vorbis/Opus/Speex).
const AUDIO_DEMUXERS = 'mp3,flac,ogg,mov,wav,aiff,asf,wv,ape,mpc,mpc8,dsf,iff,matroska,aac'

export function ffmpegArgs (spec: TranscodeSpec): string[] {
  const target = TARGETS[spec.format]
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error']
  // Before -i: a fast seek by the demuxer rather than decoding and dropping the first part.
  if (spec.offset > 0) args.push('-ss', spec.offset.toFixed(3))
  // The source is named /dev/fd/3, with no extension, so ffmpeg picks its demuxer by content
  // alone: only audio containers may be picked, never a playlist or a concat list that would
  // make it open other files.
  args.push('-format_whitelist', AUDIO_DEMUXERS)
  args.push('-i', SOURCE,
    // The first audio stream only: no cover art (an attached picture is a video stream), no
    // tags, no chapters in the output.
    '-map', '0:a:0', '-vn', '-sn', '-dn', '-map_metadata', '-1', '-map_chapters', '-1',
    '-c:a', target.encoder)
  if (spec.bitrate !== null) args.push('-b:a', `${spec.bitrate}k`, ...target.options)
  if (target.sampleRate !== null) args.push('-ar', String(target.sampleRate))
  // Stereo at most: a 5.1 file is played on phones and laptops, and 6 channels at 128 kbps
  // sound worse than 2. Mono stays mono. Always said, even when it changes nothing: some decoders
  // (Speex, some WAV and AIFF) give a channel count with no layout, which the AAC encoder refuses
  // ("Unsupported channel layout"); -ac gives the output the standard layout for its count.
  args.push('-ac', spec.channels === null || spec.channels > 2 ? '2' : String(spec.channels))
  // Without +bitexact the muxers write the encoder's version into the stream.
  args.push('-fflags', '+bitexact', '-f', target.muxer, 'pipe:1')
  return args
}
