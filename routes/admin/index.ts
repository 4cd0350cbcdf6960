import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { errors } from '../../schemas/common.js'
import { AdminStatus } from '../../schemas/ops.js'
import { LibraryCounts, Scan } from '../../schemas/scan.js'

const admin: FastifyPluginAsyncTypebox = async (fastify) => {
  for (const schema of [Scan, LibraryCounts, AdminStatus]) fastify.addSchema(schema)

  fastify.get('/status', {
    config: { role: 'admin' },
    schema: {
      tags: ['operations'],
      summary: 'How the server is doing',
      description: 'What GET /health/ready knows (answered 200 here even when a dependency is down: `status` says ' +
        'so), with versions, uptime, library counts, the latest scan and its error count, queue depths, cache ' +
        'sizes and the disk used under DATA_DIR.',
      response: { 200: AdminStatus, ...errors(401, 403, 503) }
    }
  }, async () => await fastify.ops.status())
}

export default admin
