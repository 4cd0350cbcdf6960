// The library as every API surface sees it: lists in their resolved order, one item, one album's
// or artist's lists, search, the alphabet index, totals, the user's state of tracks, albums and
// artists, the lists Subsonic clients pick by kind, and the user's saved play queue.
// Routes translate HTTP to these calls; the database and the list positions cache are given
// once, here, so no caller can forget the cache.
//
// Tracks show one user's favourites, ratings and plays (sql/011), so everything that returns or
// orders tracks is reached through `as(userId)`: the viewer is named once per request, by the
// route from its caller, and no call can leave it out. What shows no user's state (a cover's
// source, the library version) needs no viewer: covers may be fetched without a key.
import type { AlbumSort, AlbumT, AlphabetType, ArtistSort, ArtistT, TrackSort, TrackT } from '../../schemas/library.js'
import type { Queryable } from '../db/queryable.js'
import type { ListCache } from '../db/list-cache.js'
import type { Paged } from '../db/paged.js'
import type { PageWindow } from '../db/sql-parts.js'
import {
  ALBUM_TRACKS_ORDER, ARTIST_ALBUMS_ORDER, ARTIST_TRACKS_ORDER, albumOrder, artistOrder, trackOrder,
  type ListOrder
} from './list-order.js'
import { listTracks, recordPlay, updateTrackState, wholeTracks, type TrackFilter, type TrackStateChange } from './track-repository.js'
import { albumExists, findAlbumById, findCoverSource, listAlbums, wholeAlbums, type AlbumFilter, type AlbumRow } from './album-repository.js'
import { artistExists, findArtistById, listArtists, wholeArtists, type ArtistRow } from './artist-repository.js'
import { findTrackById, tracksByIds, type TrackRow } from './track-row.js'
import { saveAnalysis } from '../analysis/analysis-repository.js'
import { trackDurations } from './duration-repository.js'
import { search } from './search-repository.js'
import { alphabetIndex, libraryCounts, libraryStats } from './stats-repository.js'
import type { WholeListSpec } from './whole-list.js'
import { everyArtist, lastLibraryChange } from './artist-index-repository.js'
import { ALBUM_SUBJECT, ARTIST_SUBJECT, subjectStates, trackStates, updateSubjectState, type ItemState, type SubjectStateChange } from './subject-state-repository.js'
import { starredOf, type Starred } from './starred-repository.js'
import { pickAlbums, randomTracks, type AlbumPick, type AlbumPickOptions, type RandomTracksOptions } from './picks-repository.js'
import { listGenres, type Genre } from './genre-repository.js'
import { findPlayQueue, savePlayQueue, type PlayQueue, type SavedQueue } from './play-queue-repository.js'

export interface LibraryDeps {
  db: Queryable
  // Totals and deep-page positions, kept per library version.
  listCache: ListCache
}

// What a list request may leave out: the order then comes from list-order.ts.
type Asked<S, F> = F & Partial<ListOrder<S>>
type TrackListRequest = Asked<TrackSort, TrackFilter>
type AlbumListRequest = Asked<AlbumSort, AlbumFilter>
type ArtistListRequest = Asked<ArtistSort, { q?: string }>

// Where a whole list starts.
interface From { offset: number }

export function createLibrary ({ db, listCache }: LibraryDeps) {
  // The library's version now; a response computed after reading it is at least that new.
  const version = async (): Promise<string> => await listCache.fingerprint(db)
  // null: no such album; coverSource null: an album without cover art.
  const coverSource = async (id: string): Promise<{ coverSource: string | null } | null> => await findCoverSource(db, id)
  // An empty list of an album or artist is either theirs or says they do not exist: null then.
  async function ofParent<T> (page: Paged<T>, exists: () => Promise<boolean>): Promise<Paged<T> | null> {
    return page.total === 0 && !(await exists()) ? null : page
  }
  const hasAlbum = (id: string) => async () => await albumExists(db, id)
  const hasArtist = (id: string) => async () => await artistExists(db, id)

  // The library as the user `viewer` sees it: their own state on every track.
  function as (viewer: string) {
    const tracks = {
      list: async (req: TrackListRequest & PageWindow): Promise<Paged<TrackT>> =>
        await listTracks(db, listCache, { ...req, ...trackOrder(req), viewer }),
      whole: (req: TrackListRequest & From): WholeListSpec<TrackRow, TrackT> => wholeTracks({ ...req, ...trackOrder(req), viewer }),
      byId: async (id: string): Promise<TrackT | null> => await findTrackById(db, viewer, id),
      byIds: async (ids: string[]): Promise<TrackT[]> => await tracksByIds(db, viewer, ids),
      // Seconds by id, without the rest of each track (a playlist list's total lengths).
      durations: async (ids: string[]): Promise<Map<string, number>> => await trackDurations(db, ids),
      // null: no such track (as for the two below). Changes and plays are the viewer's own.
      setState: async (id: string, change: TrackStateChange): Promise<TrackT | null> => await updateTrackState(db, viewer, id, change),
      // A play at `at` (now by default); last_played never moves back to an older play.
      recordPlay: async (id: string, at?: Date): Promise<TrackT | null> => await recordPlay(db, viewer, id, at),
      saveAnalysis: async (id: string, analysis: Record<string, unknown>): Promise<TrackT | null> =>
        (await saveAnalysis(db, id, analysis)) ? await findTrackById(db, viewer, id) : null,
      random: async (opts: RandomTracksOptions): Promise<TrackT[]> => await randomTracks(db, viewer, opts)
    }

    const albums = {
      list: async (req: AlbumListRequest & PageWindow): Promise<Paged<AlbumT>> =>
        await listAlbums(db, listCache, { ...req, ...albumOrder(req) }),
      whole: (req: AlbumListRequest & From): WholeListSpec<AlbumRow, AlbumT> => wholeAlbums({ ...req, ...albumOrder(req) }),
      byId: async (id: string): Promise<AlbumT | null> => await findAlbumById(db, id),
      // null: no such album.
      tracks: async (id: string, window: PageWindow): Promise<Paged<TrackT> | null> =>
        await ofParent(await listTracks(db, listCache, { albumId: id, ...window, ...ALBUM_TRACKS_ORDER, viewer }), hasAlbum(id)),
      wholeTracks: (id: string, from: From): WholeListSpec<TrackRow, TrackT> =>
        ({ ...wholeTracks({ albumId: id, ...from, ...ALBUM_TRACKS_ORDER, viewer }), parentExists: hasAlbum(id) }),
      coverSource,
      // false: no such album.
      setState: async (id: string, change: SubjectStateChange): Promise<boolean> => await updateSubjectState(db, ALBUM_SUBJECT, viewer, id, change),
      pick: async (kind: AlbumPick, opts: AlbumPickOptions): Promise<AlbumT[]> => await pickAlbums(db, viewer, kind, opts)
    }

    const artists = {
      list: async (req: ArtistListRequest & PageWindow): Promise<Paged<ArtistT>> =>
        await listArtists(db, listCache, { ...req, ...artistOrder(req) }),
      whole: (req: ArtistListRequest & From): WholeListSpec<ArtistRow, ArtistT> => wholeArtists({ ...req, ...artistOrder(req) }),
      byId: async (id: string): Promise<ArtistT | null> => await findArtistById(db, id),
      // Every artist, for an index of the whole library.
      all: async (): Promise<ArtistT[]> => await everyArtist(db),
      // The albums whose album artist this is; null: no such artist.
      albums: async (id: string, window: PageWindow): Promise<Paged<AlbumT> | null> =>
        await ofParent(await listAlbums(db, listCache, { artistId: id, ...window, ...ARTIST_ALBUMS_ORDER }), hasArtist(id)),
      wholeAlbums: (id: string, from: From): WholeListSpec<AlbumRow, AlbumT> =>
        ({ ...wholeAlbums({ artistId: id, ...from, ...ARTIST_ALBUMS_ORDER }), parentExists: hasArtist(id) }),
      // null: no such artist.
      tracks: async (id: string, window: PageWindow): Promise<Paged<TrackT> | null> =>
        await ofParent(await listTracks(db, listCache, { artistId: id, ...window, ...ARTIST_TRACKS_ORDER, viewer }), hasArtist(id)),
      wholeTracks: (id: string, from: From): WholeListSpec<TrackRow, TrackT> =>
        ({ ...wholeTracks({ artistId: id, ...from, ...ARTIST_TRACKS_ORDER, viewer }), parentExists: hasArtist(id) }),
      // false: no such artist.
      setState: async (id: string, change: SubjectStateChange): Promise<boolean> => await updateSubjectState(db, ARTIST_SUBJECT, viewer, id, change)
    }

    // The viewer's stars, ratings and plays by id, one query each whatever the number of ids;
    // what they never starred, rated or played may be absent.
    const state = {
      tracks: async (ids: string[]): Promise<Map<string, ItemState>> => await trackStates(db, viewer, ids),
      albums: async (ids: string[]): Promise<Map<string, ItemState>> => await subjectStates(db, ALBUM_SUBJECT, viewer, ids),
      artists: async (ids: string[]): Promise<Map<string, ItemState>> => await subjectStates(db, ARTIST_SUBJECT, viewer, ids)
    }

    const queue = {
      get: async (): Promise<PlayQueue | null> => await findPlayQueue(db, viewer),
      // Replaces the viewer's queue; an empty trackIds deletes it.
      save: async (saved: SavedQueue): Promise<void> => { await savePlayQueue(db, viewer, saved) }
    }

    return {
      tracks,
      albums,
      artists,
      state,
      queue,
      // Newest star first.
      starred: async (): Promise<Starred> => await starredOf(db, viewer),
      // Every genre of the tracks, by name.
      genres: async (): Promise<Genre[]> => await listGenres(db),
      search: async (text: string, limit: number) => await search(db, viewer, text, limit),
      alphabet: async (type: AlphabetType) => await alphabetIndex(db, type),
      // Totals of the library, the same for everyone (no favourites or plays among them).
      stats: async () => await libraryStats(db),
      counts: async () => await libraryCounts(db),
      changedAt: async (): Promise<Date> => await lastLibraryChange(db),
      version
    }
  }

  return { as, version, coverSource }
}

export type Library = ReturnType<typeof createLibrary>
export type LibraryView = ReturnType<Library['as']>
