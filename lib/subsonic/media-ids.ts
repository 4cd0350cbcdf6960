// The ids the media methods accept. Every id this server hands out is a UUID; cover art also
// takes the prefixed ids Navidrome hands out (al-, ar-, mf-, with or without its _version
// suffix), which apps moved over from it keep in their caches.
import type { Params } from './params.js'
import { notFound } from './errors.js'
import { isId } from './known-items.js'

const PREFIXED = /^(al|ar|mf)-([0-9a-f-]{36})(?:_[0-9a-z]*)?$/i

export type CoverKind = 'album' | 'artist' | 'track'

// Whose cover the id names; `kinds` in the order to try them (a bare UUID may be any).
export interface CoverRef { id: string, kinds: CoverKind[] }

const KIND_OF_PREFIX: Record<string, CoverKind> = { al: 'album', ar: 'artist', mf: 'track' }

export function coverRefParam (params: Params): CoverRef {
  const given = params.required('id')
  if (isId(given)) return { id: given.toLowerCase(), kinds: ['album', 'track', 'artist'] }
  const prefixed = PREFIXED.exec(given)
  if (prefixed === null || !isId(prefixed[2])) throw notFound('Cover art')
  return { id: prefixed[2].toLowerCase(), kinds: [KIND_OF_PREFIX[prefixed[1].toLowerCase()]] }
}
