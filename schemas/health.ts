import { Type, type Static } from '@sinclair/typebox'
import { AnalysisDispatch } from './analysis.js'

export const Health = Type.Object({
  status: Type.Literal('ok'),
  service: Type.Literal('sonantica-core'),
  version: Type.String()
}, { $id: 'Health', description: 'The process is up' })

const CheckState = Type.Union([Type.Literal('up'), Type.Literal('down'), Type.Literal('disabled')])

export const Readiness = Type.Object({
  status: Type.Union([Type.Literal('ready'), Type.Literal('unavailable')]),
  checks: Type.Object({
    database: CheckState,
    redis: CheckState,
    transcoder: Type.Union([Type.Literal('up'), Type.Literal('missing')], {
      description: 'Whether ffmpeg can transcode; `missing` does not make the service unavailable (the original files still stream)'
    })
  }),
  down: Type.Array(Type.String(), { description: 'Names of the dependencies that did not answer' }),
  analysis: AnalysisDispatch
}, { $id: 'Readiness', description: 'Whether every dependency answers' })
export type ReadinessT = Static<typeof Readiness>
