import fp from 'fastify-plugin'
import type { FastifyBaseLogger } from 'fastify'
import { PathGuard, PathRefusedError, type GuardedFile } from '../lib/path-guard.js'

export interface PathGuardDecorator {
  // The open file, or null when the path is refused or gone (the caller answers 404).
  open: (relativePath: string, log: FastifyBaseLogger) => Promise<GuardedFile | null>
}

declare module 'fastify' {
  interface FastifyInstance {
    pathGuard: PathGuardDecorator
  }
}

export default fp(async (fastify) => {
  const guard = new PathGuard(fastify.config.mediaPath)

  const orNull = async <T>(relativePath: string, log: FastifyBaseLogger, action: () => Promise<T>): Promise<T | null> => {
    try {
      return await action()
    } catch (err) {
      if (!(err instanceof PathRefusedError)) throw err
      // A file deleted since the last scan is ordinary; anything else is a bad row or an attack.
      if (err.reason === 'not-found') log.info({ path: relativePath }, 'indexed file is missing')
      else log.warn({ path: relativePath, reason: err.reason }, 'path guard refused a file')
      return null
    }
  }

  fastify.decorate('pathGuard', {
    open: async (relativePath, log) => await orNull(relativePath, log, async () => await guard.open(relativePath))
  } satisfies PathGuardDecorator)
}, { name: 'path-guard', dependencies: ['config'], fastify: '5.x' })
