// System, user and scanning methods: who is asking, what this server can do, the one music
// folder, and the scan an admin may start.
import type { FastifyPluginAsync } from 'fastify'
import { method } from './method.js'
import { CODES, SubsonicError } from '../../lib/subsonic/errors.js'
import { EXTENSIONS, MUSIC_FOLDER, scanStatus, subsonicUser } from '../../lib/subsonic/system-model.js'

const system: FastifyPluginAsync = async (fastify) => {
  method(fastify, 'ping', async () => ({}))
  method(fastify, 'getLicense', async () => ({ license: { valid: true } }))
  method(fastify, 'getOpenSubsonicExtensions', async () => ({ openSubsonicExtensions: EXTENSIONS }), { open: true })
  method(fastify, 'getMusicFolders', async () => ({ musicFolders: { musicFolder: [MUSIC_FOLDER] } }))

  // The OpenSubsonic apiKeyAuthentication extension: whose key this is.
  method(fastify, 'tokenInfo', async ({ caller }) => ({ tokenInfo: { username: await fastify.users.nameOf(caller) } }))

  method(fastify, 'getUser', async ({ params, caller }) => {
    const username = params.required('username')
    const me = await fastify.users.nameOf(caller)
    if (me.toLowerCase() === username.toLowerCase()) return { user: subsonicUser(me, caller.role === 'admin') }
    if (caller.role !== 'admin') throw new SubsonicError(CODES.notAuthorized, 'Only an admin may see other users')
    const other = (await fastify.users.list()).find((u) => u.username.toLowerCase() === username.toLowerCase())
    if (other === undefined) throw new SubsonicError(CODES.notFound, 'User not found')
    return { user: subsonicUser(other.username, other.role === 'admin') }
  })

  method(fastify, 'getScanStatus', async () => ({ scanStatus: scanStatus(await fastify.scanner.status()) }))
  method(fastify, 'startScan', async () => {
    await fastify.scanner.start({})
    return { scanStatus: scanStatus(await fastify.scanner.status()) }
  }, { admin: true })
}

export default system
