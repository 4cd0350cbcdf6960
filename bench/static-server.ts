// @fastify/static over the same media folder, as a baseline for bench/stream.ts.
import Fastify from 'fastify'
import fastifyStatic from '@fastify/static'

const root = process.env.MEDIA_PATH ?? './media'
const port = Number(process.env.PORT ?? 0)
const app = Fastify({ logger: false })
await app.register(fastifyStatic, { root, acceptRanges: true })
await app.listen({ port, host: '127.0.0.1' })
process.on('SIGTERM', () => { void app.close().then(() => process.exit(0)) })
