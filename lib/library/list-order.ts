// The sort and direction a list is read in when the request leaves them out: one rule per
// entity, so a page, a whole list and any other API surface agree on it.
import type { AlbumSort, ArtistSort, TrackSort } from '../../schemas/library.js'
import type { SortOrder } from '../../schemas/common.js'

export interface ListOrder<S> {
  sort: S
  order: SortOrder
}

interface Asked<S> {
  sort?: S
  order?: SortOrder
}

// Newest first is what anyone asking for recent additions means.
function defaultOrder (sort: string): SortOrder {
  return sort === 'recent' ? 'desc' : 'asc'
}

// One album's tracks read best in disc/track order; every other track list by title.
export function trackOrder (asked: Asked<TrackSort> & { albumId?: string }): ListOrder<TrackSort> {
  const sort = asked.sort ?? (asked.albumId !== undefined ? 'trackNumber' : 'title')
  return { sort, order: asked.order ?? defaultOrder(sort) }
}

export function albumOrder (asked: Asked<AlbumSort>): ListOrder<AlbumSort> {
  const sort = asked.sort ?? 'title'
  return { sort, order: asked.order ?? defaultOrder(sort) }
}

export function artistOrder (asked: Asked<ArtistSort>): ListOrder<ArtistSort> {
  const sort = asked.sort ?? 'name'
  return { sort, order: asked.order ?? defaultOrder(sort) }
}

// The lists of one album or artist have a fixed order, not asked for.
export const ALBUM_TRACKS_ORDER: ListOrder<TrackSort> = { sort: 'trackNumber', order: 'asc' }
export const ARTIST_ALBUMS_ORDER: ListOrder<AlbumSort> = { sort: 'year', order: 'asc' }
export const ARTIST_TRACKS_ORDER: ListOrder<TrackSort> = { sort: 'album', order: 'asc' }
