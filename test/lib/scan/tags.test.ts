import t from 'tap'
import type { IAudioMetadata } from 'music-metadata'
import { normaliseTags, yearOf, splitGenres, repairLatin1, fileTitle } from '../../../lib/scan/tags.js'

function meta (common: Record<string, unknown>, format: Record<string, unknown> = {}): IAudioMetadata {
  return {
    common: { track: { no: null, of: null }, disk: { no: null, of: null }, movementIndex: { no: null, of: null }, ...common },
    format: { tagTypes: [], trackInfo: [], ...format },
    native: {},
    quality: { warnings: [] }
  } as unknown as IAudioMetadata
}

t.test('fallbacks for an untagged file', async (t) => {
  const tags = normaliseTags(meta({}, { codec: 'FLAC', container: 'FLAC', lossless: true }), 'Some Dir/07 - Intro.flac')
  t.match(tags, {
    title: '07 - Intro',
    artist: 'Unknown Artist',
    artists: ['Unknown Artist'],
    albumArtist: 'Unknown Artist',
    album: 'Unknown Album',
    compilation: false,
    trackNumber: null,
    year: null,
    genres: [],
    lossless: true,
    hasCover: false
  })
})

t.test('artists: every value kept, display uses the tag\'s own string or joins them', async (t) => {
  t.match(normaliseTags(meta({ artists: ['A', 'B', 'A'], artist: 'A feat. B' }), 'x.mp3'), { artist: 'A feat. B', artists: ['A', 'B'], albumArtist: 'A feat. B' })
  t.match(normaliseTags(meta({ artists: ['A', 'B'] }), 'x.mp3'), { artist: 'A, B', artists: ['A', 'B'] })
  t.match(normaliseTags(meta({ artist: '  Padded\0\0' }), 'x.mp3'), { artist: 'Padded', artists: ['Padded'] })
})

t.test('compilations group under Various Artists', async (t) => {
  t.match(normaliseTags(meta({ artist: 'X', albumartist: 'X', album: 'Hits', compilation: true }), 'a.m4a'), { albumArtist: 'Various Artists', compilation: true, artist: 'X' })
  t.match(normaliseTags(meta({ artist: 'Y', albumartist: 'various artists', album: 'Hits' }), 'b.mp3'), { albumArtist: 'Various Artists', compilation: true })
  t.match(normaliseTags(meta({ artist: 'Z', albumartist: 'Various' }), 'c.mp3'), { albumArtist: 'Various Artists', compilation: true })
})

t.test('numbers, totals, year, genres, ReplayGain and MusicBrainz ids', async (t) => {
  const tags = normaliseTags(meta({
    title: 'T',
    track: { no: 3, of: 12 },
    disk: { no: 2, of: 2 },
    date: '2001-09-11',
    genre: ['Rock; Pop', 'Jazz\0Blues', 'Rock/Pop', 'Rock'],
    musicbrainz_trackid: 'tid',
    musicbrainz_recordingid: 'rid',
    musicbrainz_albumid: 'aid',
    musicbrainz_artistid: ['ar1', 'ar2'],
    musicbrainz_albumartistid: ['aa1'],
    replaygain_track_gain: { dB: -6.5, ratio: 0.22 },
    replaygain_track_peak: { dB: -0.1, ratio: 0.98 },
    replaygain_album_gain: { dB: -7, ratio: 0.2 },
    replaygain_album_peak: { dB: 0, ratio: 1 },
    picture: [{ format: 'image/png', data: new Uint8Array(1) }]
  }, { duration: 215.5, bitrate: 320000.4, sampleRate: 44100, numberOfChannels: 2, bitsPerSample: 16, codec: 'MPEG 1 Layer 3', container: 'MPEG' }), 'x.mp3')
  t.match(tags, {
    trackNumber: 3,
    trackTotal: 12,
    discNumber: 2,
    discTotal: 2,
    year: 2001,
    genres: ['Rock', 'Pop', 'Jazz', 'Blues', 'Rock/Pop'],
    duration: 215.5,
    bitrate: 320000,
    sampleRate: 44100,
    channels: 2,
    bitsPerSample: 16,
    mbTrackId: 'tid',
    mbRecordingId: 'rid',
    mbAlbumId: 'aid',
    mbArtistId: 'ar1',
    mbAlbumArtistId: 'aa1',
    replayGainTrackGain: -6.5,
    replayGainTrackPeak: 0.98,
    replayGainAlbumGain: -7,
    replayGainAlbumPeak: 1,
    hasCover: true
  })
})

t.test('year from any date form', async (t) => {
  t.equal(yearOf(undefined, '1999'), 1999)
  t.equal(yearOf(undefined, '12/06/1987'), 1987)
  t.equal(yearOf(undefined, '2004-03-01T10:00:00Z'), 2004)
  t.equal(yearOf(1975, '2000'), 1975)
  t.equal(yearOf(undefined, 'unknown', '0'), null)
  t.equal(yearOf(undefined, undefined, '1968-11'), 1968)
})

t.test('genres keep slashes, split on ; and NUL, drop blanks and repeats', async (t) => {
  t.same(splitGenres(['AC/DC Rock', ' ; ', 'Pop;Pop']), ['AC/DC Rock', 'Pop'])
  t.same(splitGenres(undefined), [])
})

t.test('Unicode survives; mis-decoded UTF-8 from RIFF INFO is repaired', async (t) => {
  t.equal(normaliseTags(meta({ title: 'Ｆｕｌｌ　ｗｉｄｔｈ ☃ 東京' }), 'x.flac').title, 'Ｆｕｌｌ　ｗｉｄｔｈ ☃ 東京')
  t.equal(repairLatin1(Buffer.from('Sigur Rós', 'utf8').toString('latin1')), 'Sigur Rós')
  t.equal(repairLatin1('Café'), 'Café', 'real Latin-1 text is left alone')
  const wav = normaliseTags(meta({ title: Buffer.from('Ágætis', 'utf8').toString('latin1') }, { tagTypes: ['exif'] }), 'x.wav')
  t.equal(wav.title, 'Ágætis')
  t.equal(fileTitle('a/b.c/track'), 'track')
})

t.test('a length that is missing, zero, negative or not a number is unknown (null)', async (t) => {
  for (const duration of [undefined, 0, -0.0065, Number.NaN, Number.POSITIVE_INFINITY]) {
    t.equal(normaliseTags(meta({}, { duration, codec: 'Opus', container: 'Ogg' }), 'x.opus').duration, null, String(duration))
  }
  t.equal(normaliseTags(meta({}, { duration: 0.5 }), 'x.opus').duration, 0.5)
})
