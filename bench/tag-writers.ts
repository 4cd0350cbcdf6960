// Minimal tag writers for the synthetic library: rewriting tags in bytes is ~1000x faster than
// running ffmpeg per file, which makes a 20,000-track library a matter of seconds.
export interface BenchTags {
  title: string
  artist: string
  album: string
  albumArtist: string
  track: string
  year: string
  genre: string
  // Realistic layouts (bench/realistic-files.ts) add what taggers such as Picard write.
  disc?: string
  compilation?: boolean
  // Each credited artist, when the artist tag names several ("A feat. B").
  artists?: string[]
  // Several genres are several fields in Vorbis comments and one ';'-joined frame in ID3v2.3.
  genres?: string[]
}

export interface BenchCover { bytes: Buffer, mime: string }

const asCover = (cover: Buffer | BenchCover | undefined): BenchCover | undefined =>
  cover === undefined || 'mime' in cover ? cover : { bytes: cover, mime: 'image/png' }

// --- ID3v2.3 (MP3) -----------------------------------------------------------------------

function syncsafe (n: number): Buffer {
  return Buffer.from([(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f])
}

function id3Frame (id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(10)
  header.write(id, 0, 'latin1')
  header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}

function id3Text (id: string, value: string): Buffer {
  // Encoding 1: UTF-16 with BOM, so any Unicode survives.
  return id3Frame(id, Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(value, 'utf16le')]))
}

// A user-defined text frame, as Picard writes ARTISTS ('/'-joined in ID3v2.3).
function id3UserText (description: string, value: string): Buffer {
  return id3Frame('TXXX', Buffer.concat([Buffer.from([1, 0xff, 0xfe]), Buffer.from(`${description}\0`, 'utf16le'), Buffer.from([0xff, 0xfe]), Buffer.from(value, 'utf16le')]))
}

export function id3v2 (tags: BenchTags, coverArt?: Buffer | BenchCover): Buffer {
  const frames = [
    id3Text('TIT2', tags.title), id3Text('TPE1', tags.artist), id3Text('TALB', tags.album),
    id3Text('TPE2', tags.albumArtist), id3Text('TRCK', tags.track)
  ]
  if (tags.disc !== undefined) frames.push(id3Text('TPOS', tags.disc))
  if (tags.year !== '') frames.push(id3Text('TYER', tags.year))
  frames.push(id3Text('TCON', tags.genres?.join(';') ?? tags.genre))
  if (tags.compilation === true) frames.push(id3Text('TCMP', '1'))
  if (tags.artists !== undefined && tags.artists.length > 1) frames.push(id3UserText('ARTISTS', tags.artists.join('/')))
  const cover = asCover(coverArt)
  if (cover !== undefined) {
    frames.push(id3Frame('APIC', Buffer.concat([Buffer.from([0]), Buffer.from(`${cover.mime}\0`, 'latin1'), Buffer.from([3, 0]), cover.bytes])))
  }
  const body = Buffer.concat(frames)
  return Buffer.concat([Buffer.from('ID3\x03\x00\x00', 'latin1'), syncsafe(body.length), body])
}

// Strips a leading ID3v2 tag, returning the audio frames.
export function stripId3v2 (file: Buffer): Buffer {
  if (file.subarray(0, 3).toString('latin1') !== 'ID3') return file
  const size = ((file[6] & 0x7f) << 21) | ((file[7] & 0x7f) << 14) | ((file[8] & 0x7f) << 7) | (file[9] & 0x7f)
  return file.subarray(10 + size)
}

// --- FLAC Vorbis comments --------------------------------------------------------------------

function blockHeader (type: number, length: number, last: boolean): Buffer {
  const h = Buffer.alloc(4)
  h[0] = (last ? 0x80 : 0) | type
  h.writeUIntBE(length, 1, 3)
  return h
}

function vorbisComment (tags: BenchTags): Buffer {
  const vendor = Buffer.from('sonantica-bench', 'utf8')
  const [trackNumber, trackTotal] = tags.track.split('/')
  const [discNumber, discTotal] = tags.disc?.split('/') ?? []
  const fields = [
    `TITLE=${tags.title}`, `ARTIST=${tags.artist}`, `ALBUM=${tags.album}`, `ALBUMARTIST=${tags.albumArtist}`,
    ...(tags.artists !== undefined && tags.artists.length > 1 ? tags.artists.map((a) => `ARTISTS=${a}`) : []),
    // The round-1 library wrote "n/total" here; realistic files write the total apart, as taggers do.
    ...(tags.disc === undefined ? [`TRACKNUMBER=${tags.track}`] : [`TRACKNUMBER=${trackNumber}`, `TRACKTOTAL=${trackTotal}`, `DISCNUMBER=${discNumber}`, `DISCTOTAL=${discTotal}`]),
    ...(tags.year === '' ? [] : [`DATE=${tags.year}`]),
    ...(tags.genres ?? [tags.genre]).map((g) => `GENRE=${g}`),
    ...(tags.compilation === true ? ['COMPILATION=1'] : [])
  ].map((f) => Buffer.from(f, 'utf8'))
  const parts: Buffer[] = []
  const u32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeUInt32LE(n); return b }
  parts.push(u32(vendor.length), vendor, u32(fields.length))
  for (const f of fields) parts.push(u32(f.length), f)
  return Buffer.concat(parts)
}

function flacPicture (cover: BenchCover): Buffer {
  const mime = Buffer.from(cover.mime, 'latin1')
  const b = Buffer.alloc(32 + mime.length)
  b.writeUInt32BE(3, 0) // front cover
  b.writeUInt32BE(mime.length, 4)
  mime.copy(b, 8)
  let o = 8 + mime.length
  b.writeUInt32BE(0, o); o += 4 // description length
  b.writeUInt32BE(16, o); o += 4
  b.writeUInt32BE(16, o); o += 4
  b.writeUInt32BE(24, o); o += 4
  b.writeUInt32BE(0, o); o += 4
  b.writeUInt32BE(cover.bytes.length, o)
  return Buffer.concat([b, cover.bytes])
}

// Rebuilds a FLAC file with STREAMINFO, fresh Vorbis comments, an optional picture, and its frames.
export function flacWithTags (file: Buffer, tags: BenchTags, coverArt?: Buffer | BenchCover): Buffer {
  const cover = asCover(coverArt)
  if (file.subarray(0, 4).toString('latin1') !== 'fLaC') throw new Error('not a FLAC file')
  let offset = 4
  let streamInfo: Buffer | null = null
  for (;;) {
    const last = (file[offset] & 0x80) !== 0
    const type = file[offset] & 0x7f
    const length = file.readUIntBE(offset + 1, 3)
    if (type === 0) streamInfo = file.subarray(offset + 4, offset + 4 + length)
    offset += 4 + length
    if (last) break
  }
  if (streamInfo === null) throw new Error('FLAC without STREAMINFO')
  const comment = vorbisComment(tags)
  const blocks = [blockHeader(0, streamInfo.length, false), streamInfo, blockHeader(4, comment.length, cover === undefined), comment]
  if (cover !== undefined) {
    const pic = flacPicture(cover)
    blocks.push(blockHeader(6, pic.length, true), pic)
  }
  return Buffer.concat([Buffer.from('fLaC', 'latin1'), ...blocks, file.subarray(offset)])
}
