// Subsonic's stream parameters as the transcoder's request. Apps send whatever their settings
// hold: a format this server does not make leaves the choice to it (the file, unless a bitrate
// asks otherwise), and any bitrate is taken and brought into the range the encoders have.
import type { Params } from './params.js'
import type { TranscodeAsk } from '../transcode/stream-choice.js'
import { isTargetFormat, type TargetFormat } from '../transcode/formats.js'

// Names apps use for what this server makes: Ogg is Opus in Ogg here; M4A/MP4 audio is AAC.
const ALIASES: Record<string, TargetFormat> = { ogg: 'opus', oga: 'opus', m4a: 'aac', mp4: 'aac', adts: 'aac' }

function format (raw: string | undefined): TargetFormat | 'raw' | undefined {
  if (raw === undefined) return undefined
  const name = raw.trim().toLowerCase()
  if (name === 'raw') return 'raw'
  if (isTargetFormat(name)) return name
  return ALIASES[name]
}

// Apps that see the transcodeOffset extension seek with timeOffset whatever format they asked
// for, raw included, and cannot tell a transcode from the file: a seek in a raw stream is
// answered with the default format from that time rather than the file from its start.
export function transcodeAsk (params: Params): TranscodeAsk {
  const offset = params.int('timeOffset', { min: 0, max: 86_400 })
  const asked = format(params.string('format'))
  return {
    format: asked === 'raw' && offset !== undefined && offset > 0 ? undefined : asked,
    // 0 is Subsonic's "no limit".
    bitrate: params.int('maxBitRate', { min: 0, max: 100_000 }),
    offset,
    estimateContentLength: params.bool('estimateContentLength', false)
  }
}
