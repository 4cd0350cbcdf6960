import t from 'tap'
import { build, eachVariant } from '../../helper.js'
import { seedLibrary } from '../../fixtures/seed-library.js'
import { sampleTracks } from '../../fixtures/sample-library.js'
import type { AlbumT, ArtistT, TrackT } from '../../../schemas/library.js'

const EXTRA = [
  { path: 'x/1.mp3', title: 'Beatles Forever', artist: 'Tribute Band', album: 'Covers', genres: ['Pop'] },
  { path: 'x/2.mp3', title: '99 Luftballons', artist: 'Nena', album: '?', genres: ['Pop'] },
  { path: 'x/3.mp3', title: '¿Quién será?', artist: 'Nena', album: '?', genres: ['Pop'] }
]

t.test('search: case, accents, typos, partial words, best first', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, [...sampleTracks(), ...EXTRA])
    const search = async (q: string): Promise<{ tracks: TrackT[], albums: AlbumT[], artists: ArtistT[] }> => {
      const res = await app.inject(`/api/library/search?q=${encodeURIComponent(q)}`)
      t.equal(res.statusCode, 200, q)
      return res.json()
    }

    const typo = await search('beatls')
    t.equal(typo.artists[0]?.name, 'The Beatles', '"beatls" finds The Beatles first')
    t.ok(typo.tracks.some((x) => x.artist === 'The Beatles'), 'and their tracks')

    const accents = await search('sigur ros')
    t.same(accents.artists.map((a) => a.name), ['Sigur Rós'])
    t.equal(accents.albums.length, 3)
    t.ok(accents.albums.every((a) => a.artist === 'Sigur Rós'))
    t.equal(accents.tracks.length, 9)

    t.equal((await search('SIGUR RÓS')).artists[0]?.name, 'Sigur Rós', 'upper case and accents alike')
    t.equal((await search('bjo')).artists[0]?.name, 'Björk', 'a partial word finds the artist')
    t.equal((await search('hoppipola')).tracks[0]?.title.startsWith('Hoppípolla'), true, 'a typo in a title')
    t.equal((await search('vespretine')).albums[0]?.title.startsWith('Vespertine'), true, 'two letters swapped')
    t.equal((await search('nian simone')).artists[0]?.name, 'Nina Simone', 'letters swapped in a name of two words')

    const beatles = await search('beatles')
    t.equal(beatles.tracks[0]?.title, 'Beatles Forever', 'a title starting with the query ranks before other matches')
    t.ok(beatles.tracks.filter((x) => x.artist === 'The Beatles').length >= 9)

    const nothing = await search('zzzzqqqq')
    t.same(nothing, { tracks: [], albums: [], artists: [] })
    t.same(await search('%_'), { tracks: [], albums: [], artists: [] }, 'wildcards are literal')
    const limited = (await app.inject('/api/library/search?q=intro&limit=2')).json()
    t.equal(limited.tracks.length, 2, 'limit caps each kind')

    for (const url of ['/api/library/search', '/api/library/search?q=', '/api/library/search?q=a&limit=0', '/api/library/search?q=a&limit=101']) {
      const r = await app.inject(url)
      t.equal(r.statusCode, 400, url)
      t.match(r.json().message, /querystring/, url)
    }
  })
})

t.test('alphabet index points at the first item of each letter in the default sort', async (t) => {
  await eachVariant(t, { redis: 'never' }, async (t, v) => {
    const app = await build(t, { backend: v.backend })
    await seedLibrary(app.pg, [...sampleTracks(), ...EXTRA])
    for (const [type, field, name] of [['tracks', 'tracks', 'title'], ['albums', 'albums', 'title'], ['artists', 'artists', 'name']] as const) {
      const res = await app.inject(`/api/library/alphabet-index?type=${type}`)
      t.equal(res.statusCode, 200)
      const index: Record<string, number> = res.json()
      const items = (await app.inject(`/api/library/${type}?limit=500`)).json()[field] as Array<Record<string, string>>
      t.ok(Object.keys(index).length > 2, `${type} has several letters`)
      for (const [letter, offset] of Object.entries(index)) {
        const item = items[offset]
        const first = item[name].normalize('NFKD').replace(/\p{M}+/gu, '').replace(/^(the|a|an) (?=\S)/i, '').charAt(0).toUpperCase()
        t.equal(/[A-Z]/.test(first) ? first : '#', letter, `${type}: ${letter} -> ${item[name]}`)
        const previous = items[offset - 1]
        if (previous !== undefined) {
          const p = previous[name].normalize('NFKD').replace(/\p{M}+/gu, '').replace(/^(the|a|an) (?=\S)/i, '').charAt(0).toUpperCase()
          t.not(/[A-Z]/.test(p) ? p : '#', letter, `${type}: ${letter} starts at ${offset}, not earlier`)
        }
      }
    }
    const tracks = (await app.inject('/api/library/alphabet-index?type=tracks')).json()
    t.equal(tracks['#'], 0, 'digits and punctuation sort first, under #')
    const artistIndex = (await app.inject('/api/library/alphabet-index?type=artists')).json()
    const artists = (await app.inject('/api/library/artists')).json().artists
    t.equal(artists[artistIndex.B].name, 'The Beatles', '"The Beatles" is filed under B')
    const bad = await app.inject('/api/library/alphabet-index?type=genres')
    t.equal(bad.statusCode, 400)
    t.match(bad.json().message, /querystring\/type must be equal to one of the allowed values/)
  })
})

t.test('stats', async (t) => {
  const app = await build(t)
  const empty = (await app.inject('/api/library/stats')).json()
  t.same(empty, { trackCount: 0, artistCount: 0, albumCount: 0, totalDuration: 0, totalSize: 0, lastScan: null })

  const sample = sampleTracks()
  await seedLibrary(app.pg, sample)
  await app.pg.query(`INSERT INTO scans (status, phase, started_at, finished_at) VALUES
    ('completed', 'complete', '2025-01-01T10:00:00Z', '2025-01-01T10:05:00Z'),
    ('completed', 'complete', '2025-02-01T10:00:00Z', '2025-02-01T10:07:30Z')`)
  await app.pg.query('INSERT INTO scans (status, phase, started_at) VALUES (\'running\', \'scanning\', now())')
  const stats = (await app.inject('/api/library/stats')).json()
  t.same(stats, {
    trackCount: 46,
    artistCount: 5,
    albumCount: 15,
    totalDuration: sample.reduce((s, x) => s + (x.duration ?? 0), 0),
    totalSize: sample.reduce((s, x) => s + (x.fileSize ?? 0), 0),
    lastScan: '2025-02-01T10:07:30.000Z'
  })
})

t.test('with an API key, ?api_key= is accepted beside every list\'s own parameters', async (t) => {
  const app = await build(t, { env: { API_KEY: 'k3y' } })
  await seedLibrary(app.pg, sampleTracks().slice(0, 5))
  for (const url of ['/api/library/tracks?limit=2', '/api/library/albums?sort=year', '/api/library/artists', '/api/library/search?q=help',
    '/api/library/alphabet-index?type=tracks', '/api/library/stats']) {
    t.equal((await app.inject(`${url}${url.includes('?') ? '&' : '?'}api_key=k3y`)).statusCode, 200, url)
    t.equal((await app.inject(url)).statusCode, 401, `${url} without the key`)
  }
})
