// The one model every Subsonic answer is built as, before it is written as XML or JSON.
// A node's scalar fields are XML attributes and JSON scalars; a nested node is one child element
// (a JSON object); an array is repeated child elements (always a JSON array, empty ones too);
// a field named `value` is the element's text. Undefined fields are left out of both encodings,
// which is how an unset date or id is omitted rather than sent as "" or null.
import { VERSION } from '../version.js'

export type Scalar = string | number | boolean
export type Field = Scalar | SubsonicNode | Array<SubsonicNode | Scalar> | undefined
export interface SubsonicNode { [name: string]: Field }

export const API_VERSION = '1.16.1'
export const SERVER_TYPE = 'sonantica'
export const XML_NAMESPACE = 'http://subsonic.org/restapi'

export interface Envelope extends SubsonicNode {
  status: 'ok' | 'failed'
  version: string
  type: string
  serverVersion: string
  openSubsonic: true
}

const head = (status: 'ok' | 'failed'): Envelope =>
  ({ status, version: API_VERSION, type: SERVER_TYPE, serverVersion: VERSION, openSubsonic: true })

export function ok (body: SubsonicNode = {}): Envelope {
  return { ...head('ok'), ...body }
}

export function failed (code: number, message: string, helpUrl?: string): Envelope {
  return { ...head('failed'), error: { code, message, helpUrl } }
}
