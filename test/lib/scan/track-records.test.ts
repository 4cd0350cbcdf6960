import t from 'tap'
import { albumRecord, artistRecord, trackRecord } from '../../../lib/scan/track-records.js'
import type { TrackTags } from '../../../lib/scan/tags.js'

function tags (over: Partial<TrackTags> = {}): TrackTags {
  return {
    title: 'The Ballad of John and Yoko',
    artist: 'The Beatles',
    artists: ['The Beatles'],
    albumArtist: 'The Beatles',
    album: 'Hey Jude',
    compilation: false,
    trackNumber: 4,
    trackTotal: 10,
    discNumber: 1,
    discTotal: 1,
    year: 1970,
    genres: ['Rock', 'Pop'],
    duration: 179.5,
    container: 'FLAC',
    codec: 'FLAC',
    bitrate: 900_000,
    sampleRate: 44_100,
    channels: 2,
    bitsPerSample: 16,
    lossless: true,
    mbTrackId: 'mb-track',
    mbRecordingId: 'mb-recording',
    mbAlbumId: 'mb-album',
    mbArtistId: 'mb-artist',
    mbAlbumArtistId: 'mb-album-artist',
    replayGainTrackGain: -7.5,
    replayGainTrackPeak: 0.98,
    replayGainAlbumGain: -8,
    replayGainAlbumPeak: 0.99,
    hasCover: true,
    ...over
  }
}

const stamp = { path: 'The Beatles/Hey Jude/04 The Ballad.flac', size: 21_000_000, mtimeMs: 1_700_000_000_123 }

t.test('a track: every tag in its column, keys folded, the title sorted without its article', async (t) => {
  t.same(trackRecord(stamp, tags()), {
    file_path: 'The Beatles/Hey Jude/04 The Ballad.flac',
    file_size: 21_000_000,
    file_mtime_ms: 1_700_000_000_123,
    title: 'The Ballad of John and Yoko',
    sort_key: 'ballad of john and yoko',
    artist: 'The Beatles',
    artists: ['The Beatles'],
    artist_key: 'beatles',
    album_artist: 'The Beatles',
    album: 'Hey Jude',
    album_key: 'hey jude',
    track_number: 4,
    track_total: 10,
    disc_number: 1,
    disc_total: 1,
    year: 1970,
    genres: ['Rock', 'Pop'],
    duration: 179.5,
    container: 'FLAC',
    codec: 'FLAC',
    bitrate: 900_000,
    sample_rate: 44_100,
    channels: 2,
    bits_per_sample: 16,
    lossless: true,
    mb_track_id: 'mb-track',
    mb_recording_id: 'mb-recording',
    mb_album_id: 'mb-album',
    mb_artist_id: 'mb-artist',
    mb_album_artist_id: 'mb-album-artist',
    replaygain_track_gain: -7.5,
    replaygain_track_peak: 0.98,
    replaygain_album_gain: -8,
    replaygain_album_peak: 0.99,
    has_cover: true,
    // Search keeps the article: "the ballad" finds it.
    search_key: 'the ballad of john and yoko the beatles hey jude'
  })
})

t.test('a track: accents and case folded, an unknown length stored as 0', async (t) => {
  const record = trackRecord(stamp, tags({ title: 'Hoppípolla', artist: 'Sigur Rós', album: 'TAKK...', duration: null }))
  t.equal(record.sort_key, 'hoppipolla')
  t.equal(record.artist_key, 'sigur ros')
  t.equal(record.album_key, 'takk...')
  t.equal(record.search_key, 'hoppipolla sigur ros takk...')
  t.equal(record.duration, 0, 'sql/008: every track has a number for its length')
  t.equal(trackRecord(stamp, tags({ title: 'A Day in the Life', album: 'An Album' })).sort_key, 'day in the life')
  t.equal(trackRecord(stamp, tags({ album: 'An Album' })).album_key, 'album')
  t.equal(trackRecord(stamp, tags({ title: 'Theatre' })).sort_key, 'theatre', 'only a whole leading word is an article')
  t.equal(trackRecord(stamp, tags({ title: 'The' })).sort_key, 'the', 'a title that is only an article keeps it')
})

t.test('titles sort as record shops file them', async (t) => {
  const titles = ['Help!', 'The Ballad of John and Yoko', 'Across the Universe', 'A Hard Day\'s Night', 'Yesterday']
  const sorted = titles.map((title) => trackRecord(stamp, tags({ title })))
    .sort((a, b) => (a.sort_key < b.sort_key ? -1 : a.sort_key > b.sort_key ? 1 : 0))
  t.same(sorted.map((r) => r.title), ['Across the Universe', 'The Ballad of John and Yoko', 'A Hard Day\'s Night', 'Help!', 'Yesterday'])
})

t.test('an album: identity keeps the article, sorting drops it, search adds the album artist', async (t) => {
  t.same(albumRecord(tags({ album: 'The Wall', albumArtist: 'Pink Floyd', mbAlbumId: null })), {
    title: 'The Wall',
    title_key: 'the wall',
    sort_key: 'wall',
    album_artist: 'Pink Floyd',
    mb_album_id: null,
    compilation: false,
    search_key: 'the wall pink floyd'
  })
  const hits = albumRecord({ album: 'Greatest  Hits', albumArtist: 'Various Artists', mbAlbumId: 'mb', compilation: true })
  t.match(hits, { title_key: 'greatest hits', compilation: true, mb_album_id: 'mb' }, 'runs of blanks fold to one')
  t.not(albumRecord(tags({ album: 'The Wall' })).title_key, albumRecord(tags({ album: 'Wall' })).title_key,
    '"The Wall" and "Wall" are two albums, though they sort together')
})

t.test('an artist: one identity for every spelling of a name', async (t) => {
  t.same(artistRecord('The Beatles'), { name: 'The Beatles', name_key: 'the beatles', sort_key: 'beatles', mbid: null })
  t.same(artistRecord('Björk', 'mb-bjork'), { name: 'Björk', name_key: 'bjork', sort_key: 'bjork', mbid: 'mb-bjork' })
  t.equal(artistRecord('SIGUR  RÓS').name_key, artistRecord('sigur rós').name_key)
  t.not(artistRecord('The The').name_key, artistRecord('The').name_key)
  t.equal(artistRecord('The The').sort_key, 'the', 'a band called "The The" files under T')
})
