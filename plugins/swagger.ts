import fp from 'fastify-plugin'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import { ErrorResponse } from '../schemas/common.js'
import { VERSION } from '../lib/version.js'
import { KEY_SECURITY, ROLE_EXTENSION, tidyOpenApi } from '../lib/openapi-tidy.js'

// A stable operationId for every route that does not name one: GET /api/library/tracks/{id}
// becomes getApiLibraryTracksById, so generated clients get readable method names.
export function defaultOperationId (method: string, url: string): string {
  const words = url.split('/').filter(Boolean).map((part) => {
    const param = /^[:{](\w+)}?$/.exec(part)
    const word = param === null ? part : `by-${param[1]}`
    return word.replace(/\*/g, 'path').split(/[^A-Za-z0-9]+/).filter(Boolean)
      .map((w) => w[0].toUpperCase() + w.slice(1)).join('')
  })
  return method.toLowerCase() + words.join('')
}

export default fp(async (fastify) => {
  fastify.addSchema(ErrorResponse)
  await fastify.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        contact: { name: 'Sonántica developers' },
        title: 'Sonántica stream core',
        description: 'Indexes a music folder and serves it: library browsing and search, cover art, ' +
          'scans with live progress, and audio streaming with byte ranges. Lists are ' +
          '`{ items, total, limit, offset }` under the resource name; items are camelCase. ' +
          'Every error has the shape `ErrorResponse`. Each operation that needs a key names the role it ' +
          'needs in `x-required-role`: `user` (any person\'s key), `admin`, or `analysis` (an admin or a worker key).',
        version: VERSION,
        license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' }
      },
      servers: [{ url: '/', description: 'This server' }],
      tags: [
        { name: 'health', description: 'Liveness and readiness probes' },
        { name: 'library', description: 'Tracks, albums, artists, search and user state' },
        { name: 'cover', description: 'Album cover art' },
        { name: 'scan', description: 'Indexing the media folder and following its progress' },
        { name: 'stream', description: 'Audio bytes with HTTP range support' },
        { name: 'auth', description: 'First admin, logging in, and API keys' },
        { name: 'users', description: 'The people who share the server (admins manage them)' },
        { name: 'operations', description: 'Prometheus metrics and the server\'s status, for whoever runs it' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'A user\'s API key (POST /api/auth/login or /api/auth/keys), or the server\'s shared API_KEY, ' +
              'which acts as an admin. Needed once anyone has signed up or API_KEY is set; before that the service is open.'
          },
          apiKeyQuery: { type: 'apiKey', in: 'query', name: 'api_key', description: 'The same key as a query parameter, for <audio src> URLs' }
        }
      }
    },
    transform: ({ schema, url, route }) => {
      const method = Array.isArray(route.method) ? route.method[0] : route.method
      const transformed = { ...schema } as Record<string, unknown>
      if (transformed.operationId === undefined) transformed.operationId = defaultOperationId(method, url)
      // The same route flag auth reads, so Swagger's "Authorize" applies to exactly the
      // operations that need the key.
      const isPublic = route.config?.public === true
      transformed.security = isPublic ? [] : KEY_SECURITY
      // The same flag again: which callers the route lets through (lib/users/caller.ts).
      if (!isPublic) transformed[ROLE_EXTENSION] = route.config?.role ?? 'user'
      return { schema: transformed as typeof schema, url }
    },
    transformObject: (documentObject) => {
      const doc = 'openapiObject' in documentObject ? documentObject.openapiObject : documentObject.swaggerObject
      return tidyOpenApi(doc)
    },
    refResolver: {
      // Keep component names equal to the schemas' $id values.
      buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}`
    }
  })
  // The UI takes no route config, so every route it registers is flagged public here, in a
  // context of its own: the flag comes from who registered the route, not from its URL.
  await fastify.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, public: true }
    })
    await docs.register(fastifySwaggerUi, {
      routePrefix: '/docs',
      uiConfig: { docExpansion: 'list', deepLinking: true }
    })
  })
}, { name: 'swagger', fastify: '5.x' })
