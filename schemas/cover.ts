import { Type } from '@sinclair/typebox'
import { UuidParam } from './common.js'

export const CoverParams = Type.Object({ albumId: UuidParam })

export const CoverQuery = Type.Object({
  size: Type.Optional(Type.Integer({
    minimum: 16,
    maximum: 2048,
    description: 'Longest side in pixels, rounded up to the next of 64, 128, 256, 512 or 1024; above 1024 the ' +
      'original picture is sent. Never enlarged: a picture smaller than the step is sent at its own size.'
  }))
})

export const CoverImage = Type.String({ format: 'binary', description: 'The image bytes (image/jpeg, image/png, ...)' })
