// Writes one answer model (response.ts) as JSON, JSONP or XML. The two encodings are two readings
// of the same tree, so no method can answer differently in one of them.
import { randomBytes } from 'node:crypto'
import { XMLBuilder } from 'fast-xml-parser'
import { XML_NAMESPACE, type Envelope, type Scalar, type SubsonicNode } from './response.js'

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
// A parser turns a raw tab, line feed or carriage return in an attribute into a space (XML 1.0
// §3.3.3), so they are written as character references there; element text keeps them as they are.
const ATTRIBUTE_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' }
const TEXT_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' }
const escaped = (value: Scalar, escapes: Record<string, string>, pattern: RegExp): Scalar =>
  typeof value === 'string' ? value.replace(NOT_XML, '').replace(pattern, (c) => escapes[c]) : value
const attribute = (value: Scalar): Scalar => escaped(value, ATTRIBUTE_ESCAPES, /[&<>"'\t\n\r]/g)
const text = (value: Scalar): Scalar => escaped(value, TEXT_ESCAPES, /[&<>]/g)

// Past this many items a list is written a chunk at a time, letting other requests run between
// chunks: a 20,000-song playlist is seconds of XML writing.
const CHUNK = 250

type XmlNode = Record<string, unknown>
interface Deferred { marker: string, name: string, items: SubsonicNode[] }

// The builder's reading of a node: attributes, text, children. Long lists of nodes are left as a
// marker element, written later by writeDeferred.
function toXml (node: SubsonicNode, deferred: Deferred[] | null): XmlNode {
  const out: XmlNode = {}
  for (const [name, field] of Object.entries(node)) {
    if (field === undefined) continue
    if (name === 'value' && typeof field !== 'object') out['#text'] = text(field)
    else if (Array.isArray(field)) {
      if (deferred !== null && field.length > CHUNK && field.every((item) => typeof item === 'object')) {
        const marker = `deferred-${randomBytes(12).toString('hex')}`
        deferred.push({ marker, name, items: field as SubsonicNode[] })
        out[name] = [{ '#text': marker }]
      } else {
        out[name] = field.map((item) => typeof item === 'object' ? toXml(item, null) : text(item))
      }
    } else if (typeof field === 'object') out[name] = toXml(field, deferred)
    else out[`@_${name}`] = attribute(field)
  }
  return out
}

// Values arrive escaped (above), so the builder only arranges them.
const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  suppressEmptyNode: true,
  suppressBooleanAttributes: false,
  processEntities: false
})
const build = (tree: XmlNode): string => builder.build(tree) as string

async function xml (envelope: Envelope): Promise<string> {
  const deferred: Deferred[] = []
  const root = { 'subsonic-response': { '@_xmlns': XML_NAMESPACE, ...toXml(envelope, deferred) } }
  let document = `<?xml version="1.0" encoding="UTF-8"?>${build(root)}`
  for (const { marker, name, items } of deferred) {
    const parts: string[] = []
    for (let start = 0; start < items.length; start += CHUNK) {
      await new Promise((resolve) => setImmediate(resolve))
      parts.push(build({ [name]: items.slice(start, start + CHUNK).map((item) => toXml(item, null)) }))
    }
    // The marker is random, so it can only be the element the list was left as.
    document = document.replace(`<${name}>${marker}</${name}>`, () => parts.join(''))
  }
  return document
}

// JSON.stringify leaves undefined fields out, as toXml does.
const json = (envelope: Envelope): string => JSON.stringify({ 'subsonic-response': envelope })

export async function encode (envelope: Envelope, format: Format, callback?: string): Promise<Encoded> {
  if (format === 'json') return { contentType: 'application/json; charset=utf-8', body: json(envelope) }
  if (format === 'jsonp') return { contentType: 'application/javascript; charset=utf-8', body: `${callback ?? 'callback'}(${json(envelope)});` }
  return { contentType: 'text/xml; charset=utf-8', body: await xml(envelope) }
}
