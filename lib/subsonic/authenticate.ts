// Who a Subsonic request is made by, or the error code the protocol gives for why not.
import type { Caller } from '../users/caller.js'
import { mayCall } from '../users/caller.js'
import type { Credentials } from './credentials.js'
import { CODES, SubsonicError } from './errors.js'

export interface CallerSource {
  callerFor: (key: string | null) => Promise<Caller | null>
  appCaller: (username: string, key: string) => Promise<Caller | null>
}

export async function authenticate (users: CallerSource, credentials: Credentials, helpUrl: string): Promise<Caller> {
  // An open service (no user, no API_KEY) lets everyone in, whatever they send.
  const open = await users.callerFor(null)
  if (open !== null) return open
  let caller: Caller | null
  switch (credentials.kind) {
    case 'token':
      throw new SubsonicError(CODES.tokenNotSupported,
        'Token login (t and s) is not supported: use an app key as the password, or apiKey', helpUrl)
    case 'none':
      throw new SubsonicError(CODES.missingParameter, "Required parameter 'u' (or 'apiKey') is missing")
    case 'apiKey':
      caller = await users.callerFor(credentials.key)
      if (caller === null) throw new SubsonicError(CODES.invalidApiKey, 'Invalid API key')
      break
    case 'appPassword':
      caller = await users.appCaller(credentials.username, credentials.key)
      if (caller === null) throw new SubsonicError(CODES.wrongCredentials, 'Wrong username or password (the password is one of your app keys)')
      break
  }
  // Worker keys write analysis results and nothing else.
  if (!mayCall(caller, undefined)) throw new SubsonicError(CODES.notAuthorized, 'A worker key cannot use the Subsonic API')
  return caller
}
