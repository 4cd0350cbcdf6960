import { AUDIO_CONTENT_TYPES } from '../mime.js'
import { extensionOf } from '../paths.js'

// Which files the scanner treats as audio: those the stream route has a content type for.
export const AUDIO_EXTENSIONS: ReadonlySet<string> = new Set(AUDIO_CONTENT_TYPES.keys())

// Containers that also carry video: a file of these with no audio stream is skipped, not failed.
export const VIDEO_CAPABLE: ReadonlySet<string> = new Set(['mp4', 'webm', 'mka', 'asf'])

const FOLDER_COVER = /^(cover|folder|front)\.(jpe?g|png|webp)$/i

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
