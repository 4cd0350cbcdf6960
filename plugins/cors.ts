import fp from 'fastify-plugin'
import fastifyCors from '@fastify/cors'

// The Sonántica apps always run on another origin than the server (their own port, or
// http://localhost inside the mobile shell) and send `Content-Type: application/json` on every
// call, so every route sees preflights. Preflights are answered in an onRequest hook registered
// before auth: a browser never sends credentials on a preflight. No cookies are used, so `*` is safe.
export default fp(async (fastify) => {
  await fastify.register(fastifyCors, {
    origin: fastify.config.corsOrigins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Range', 'If-None-Match', 'If-Range'],
    // What a fetch() with Range must read to page through a file, the validator to revalidate
    // with, and how long a rate-limited login must wait.
    exposedHeaders: ['Content-Range', 'Content-Length', 'Accept-Ranges', 'ETag', 'Retry-After', 'X-Content-Duration'],
    maxAge: 600,
    // Any OPTIONS is answered 204 with the preflight headers, rather than a text/plain 400 when
    // Origin or Access-Control-Request-Method is missing: nothing is revealed or changed either way.
    strictPreflight: false
  })
}, { name: 'cors', dependencies: ['config'], fastify: '5.x' })
