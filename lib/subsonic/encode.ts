// Writes one answer model (response.ts) as JSON, JSONP or XML. The two encodings are two readings
// of the same tree, so no method can answer differently in one of them.
import { XMLBuilder } from 'fast-xml-parser'
import { XML_NAMESPACE, type Envelope, type SubsonicNode } from './response.js'

export const FORMATS = ['xml', 'json', 'jsonp'] as const
export type Format = typeof FORMATS[number]

export interface Encoded { contentType: string, body: string }

// A JavaScript identifier path, such as jQuery's generated names: anything else in a script
// the client runs would be an injection.
const CALLBACK = /^[A-Za-z_$][\w$]{0,63}(?:\.[A-Za-z_$][\w$]{0,63}){0,7}$/
export const isCallbackName = (name: string): boolean => CALLBACK.test(name)

// Characters XML 1.0 cannot hold at all, even escaped (a control byte in a tag, an unpaired
// surrogate). JSON can carry them escaped, so only the XML reading drops them.
// eslint-disable-next-line no-control-regex -- these characters are what it finds
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g
const xmlText = (value: string | number | boolean): string | number | boolean =>
  typeof value === 'string' ? value.replace(NOT_XML, '') : value

type XmlNode = Record<string, unknown>

function toXml (node: SubsonicNode): XmlNode {
  const out: XmlNode = {}
  for (const [name, field] of Object.entries(node)) {
    if (field === undefined) continue
    if (name === 'value' && typeof field !== 'object') out['#text'] = xmlText(field)
    else if (Array.isArray(field)) out[name] = field.map((item) => typeof item === 'object' ? toXml(item) : xmlText(item))
    else if (typeof field === 'object') out[name] = toXml(field)
    else out[`@_${name}`] = xmlText(field)
  }
  return out
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false
})

// JSON.stringify leaves undefined fields out, as toXml does.
const json = (envelope: Envelope): string => JSON.stringify({ 'subsonic-response': envelope })

export function encode (envelope: Envelope, format: Format, callback?: string): Encoded {
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', body: json(envelope) }
  if (format === 'jsonp') return { contentType: 'application/javascript; charset=utf-8', body: `${callback ?? 'callback'}(${json(envelope)});` }
  const root = { 'subsonic-response': { '@_xmlns': XML_NAMESPACE, ...toXml(envelope) } }
  return { contentType: 'text/xml; charset=utf-8', body: `<?xml version="1.0" encoding="UTF-8"?>${builder.build(root) as string}` }
}
