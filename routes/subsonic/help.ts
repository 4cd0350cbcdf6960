// Where a Subsonic app that tried the token login is sent (the helpUrl of error 41): how to log
// in here instead. The README's "Use a Subsonic app" section says the same at more length.
import type { FastifyPluginAsync } from 'fastify'

export const HELP_PATH = '/help/subsonic'

const HELP = `Logging in to the Sonántica stream core from a Subsonic app

This server keeps no password in a form it could read back, so it cannot check the
token login (t and s) that many Subsonic apps use by default. Log in with an app key:

1. Make a key for the app, signed in to the stream core:
     curl -X POST -H "Authorization: Bearer <your key>" -H "Content-Type: application/json" \\
       -d '{"name": "Phone app"}' <server>/api/auth/keys
   The answer holds the new key (it starts with snt_); it is shown only once.
2. In the app, use your username and the key as the password, and turn off
   "token authentication" or "legacy login" (its name varies by app), or use the app's
   API key field if it has one (OpenSubsonic apiKey).
3. Revoke the key (DELETE /api/auth/keys/{id}) when you stop using the app.

Your account password is never accepted over /rest.
`

const help: FastifyPluginAsync = async (fastify) => {
  fastify.get(HELP_PATH, { config: { public: true }, schema: { hide: true } }, async (_request, reply) =>
    await reply.type('text/plain; charset=utf-8').send(HELP))
}

export default help
