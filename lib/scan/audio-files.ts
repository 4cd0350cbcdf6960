// Which files the scanner treats as audio: every container music-metadata reads.
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set([
  'mp3', 'mp2', 'mp1', 'aac', 'm4a', 'm4b', 'mp4', 'flac', 'ogg', 'oga', 'opus', 'spx', 'wav', 'bwf',
  'aif', 'aiff', 'aifc', 'wma', 'asf', 'ape', 'wv', 'mpc', 'dsf', 'dff', 'mka', 'webm', 'weba'
])

// Containers that also carry video: a file of these with no audio stream is skipped, not failed.
export const VIDEO_CAPABLE: ReadonlySet<string> = new Set(['mp4', 'webm', 'mka', 'asf'])

const FOLDER_COVER = /^(cover|folder|front)\.(jpe?g|png|webp)$/i

export function extensionOf (path: string): string {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  return dot > slash + 1 ? path.slice(dot + 1).toLowerCase() : ''
}

export function isAudioPath (path: string): boolean {
  return AUDIO_EXTENSIONS.has(extensionOf(path))
}

export function isFolderCover (fileName: string): boolean {
  return FOLDER_COVER.test(fileName)
}

// Preference among several images in one folder: cover > folder > front, then jpg > png > webp.
export function folderCoverRank (fileName: string): number {
  const lower = fileName.toLowerCase()
  const base = ['cover', 'folder', 'front'].findIndex((b) => lower.startsWith(`${b}.`))
  const ext = ['jpg', 'jpeg', 'png', 'webp'].indexOf(extensionOf(lower))
  return base * 10 + ext
}
