// Finds a file's embedded pictures without letting music-metadata decode them. Decoding covers
// is most of a parse's time on real files (200-600 KB JPEGs: 914 vs 3,111 files/s on one thread,
// bench/README.md, Scanning realistic files) and it leaves their bytes on the parse thread's heap,
// while the scan only needs to know whether there is a cover and how large the one the cover
// service would pick is. Here the picture headers are read where they lie: the ID3v2 APIC frames
// at the start of an MP3 and the PICTURE blocks of a FLAC. Anything this does not read the way
// music-metadata does (other layouts, unsynchronised or compressed frames, a second tag) answers
// null, and the file is parsed with its covers as before.
import type { AbstractTokenizer } from 'strtok3'

// pictures: byte sizes of the embedded pictures in file order; the first is the one
// music-metadata's selectCover picks. pictureBytes: where they lie, for a parse that skips covers
// not to read them (ID3v2 is read as one block, pictures included; FLAC's are skipped anyway).
export interface CoverProbe { pictures: number[], pictureBytes: Array<{ start: number, end: number }> }

type Peek = (position: number, length: number) => Promise<Uint8Array>

function peeker (tokenizer: AbstractTokenizer): Peek {
  return async (position, length) => {
    const bytes = new Uint8Array(length)
    const read = await tokenizer.peekBuffer(bytes, { position, length, mayBeLess: true })
    return bytes.subarray(0, read)
  }
}

// Not String.fromCharCode(...bytes): a comment block of a few hundred KB (lyrics) would overflow the stack.
const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1')
const syncsafe = (b: Uint8Array, at: number): number => ((b[at] & 0x7f) << 21) | ((b[at + 1] & 0x7f) << 14) | ((b[at + 2] & 0x7f) << 7) | (b[at + 3] & 0x7f)
const uint32 = (b: Uint8Array, at: number): number => ((b[at] << 24) >>> 0) + (b[at + 1] << 16) + (b[at + 2] << 8) + b[at + 3]

// Where a NUL terminator starts, as music-metadata's findZero finds it (two-byte aligned in UTF-16).
function findZero (b: Uint8Array, from: number, wide: boolean): number {
  if (wide) {
    for (let i = from; i + 1 < b.length; i += 2) if (b[i] === 0 && b[i + 1] === 0) return i
    return -1
  }
  const i = b.indexOf(0, from)
  return i
}

// The first bytes of an APIC frame hold its encoding, MIME type, picture type and description.
const APIC_HEAD = 4096

// A picture music-metadata's MetadataCollector drops (no data) or keeps only if it can tell the
// format from the bytes (no MIME type): not decided here.
const uncertain = (mimeLength: number, bytes: number): boolean => mimeLength === 0 || bytes <= 0

// ID3v2.3/2.4 at the start of the file, read as ID3v2Parser.parseMetadata and FrameParser do.
async function id3Pictures (peek: Peek, fileSize: number): Promise<CoverProbe | null> {
  const header = await peek(0, 10)
  if (header.length < 10 || latin1(header.subarray(0, 3)) !== 'ID3') return null
  const major = header[3]
  // Unsynchronisation and extended headers change where frames lie; v2.2 has other frame ids.
  if ((major !== 3 && major !== 4) || (header[5] & 0xc0) !== 0) return null
  const end = 10 + syncsafe(header, 6)
  // music-metadata rejects a tag longer than the file.
  if (end > fileSize) return null
  const pictures: number[] = []
  const pictureBytes: CoverProbe['pictureBytes'] = []
  let pos = 10
  while (pos + 10 <= end) {
    const frame = await peek(pos, 10)
    if (frame.length < 10) return null
    // Padding, if zeros run to the tag's end: music-metadata does not stop at a zero byte but
    // reads on, and finds any frame that follows.
    if (frame[0] === 0) {
      const rest = await peek(pos, end - pos)
      if (rest.length < end - pos || rest.some((b) => b !== 0)) return null
      break
    }
    const id = latin1(frame.subarray(0, 4))
    if (!/^[A-Z0-9]{4}$/.test(id)) return null
    const length = major === 4 ? syncsafe(frame, 4) : uint32(frame, 4)
    // Grouping, compression, encryption, unsynchronisation, data length indicator.
    if ((major === 4 ? frame[9] & 0x4f : frame[9] & 0xe0) !== 0) return null
    const body = pos + 10
    if (body + length > end) return null
    if (id === 'APIC' && length > 0) {
      const head = await peek(body, Math.min(length, APIC_HEAD))
      const wide = head[0] === 1 || head[0] === 2
      const mimeEnd = findZero(head, 1, false)
      if (mimeEnd === -1 || mimeEnd + 2 > head.length) return null
      const descEnd = findZero(head, mimeEnd + 2, wide)
      if (descEnd === -1) return null
      const bytes = length - (descEnd + (wide ? 2 : 1))
      if (uncertain(mimeEnd - 1, bytes)) return null
      pictures.push(bytes)
      pictureBytes.push({ start: body, end: body + length })
    }
    pos = body + length
  }
  // A second tag right after the first is parsed too; not read here.
  if (latin1(await peek(end, 3)) === 'ID3') return null
  return { pictures, pictureBytes }
}

// FLAC metadata blocks; a picture carried in the Vorbis comments instead is not read here.
async function flacPictures (peek: Peek, fileSize: number): Promise<CoverProbe | null> {
  if (latin1(await peek(0, 4)) !== 'fLaC') return null
  const pictures: number[] = []
  let pos = 4
  for (;;) {
    const header = await peek(pos, 4)
    if (header.length < 4) return null
    const type = header[0] & 0x7f
    const length = (header[1] << 16) | (header[2] << 8) | header[3]
    const body = pos + 4
    // A block past the end of the file: music-metadata fails to read it.
    if (body + length > fileSize) return null
    if (type === 4) {
      const comments = await peek(body, length)
      if (latin1(comments).toUpperCase().includes('METADATA_BLOCK_PICTURE=')) return null
    } else if (type === 6) {
      const head = await peek(body, Math.min(length, APIC_HEAD))
      if (head.length < 8) return null
      const mimeLength = uint32(head, 4)
      const descAt = 8 + mimeLength
      if (descAt + 4 > head.length) return null
      const dataAt = descAt + 4 + uint32(head, descAt) + 16
      if (dataAt + 4 > head.length) return null
      const bytes = Math.min(uint32(head, dataAt), length - (dataAt + 4))
      if (uncertain(mimeLength, bytes)) return null
      pictures.push(bytes)
    }
    pos = body + length
    if ((header[0] & 0x80) !== 0) return { pictures, pictureBytes: [] }
  }
}

export async function probeCovers (tokenizer: AbstractTokenizer, extension: string): Promise<CoverProbe | null> {
  const peek = peeker(tokenizer)
  const fileSize = tokenizer.fileInfo.size
  if (fileSize === undefined) return null
  if (extension === 'mp3') return await id3Pictures(peek, fileSize)
  if (extension === 'flac') return await flacPictures(peek, fileSize)
  return null
}

// The tag types music-metadata may report beside what the probe read: any other (an APEv2 tag at
// the end of an MP3, say) may carry pictures of its own.
export const PROBED_TAG_TYPES: Record<string, ReadonlySet<string>> = {
  mp3: new Set(['ID3v2.3', 'ID3v2.4', 'ID3v1']),
  flac: new Set(['vorbis'])
}
