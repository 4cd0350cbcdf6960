import { sep } from 'node:path'

// Library-relative paths always use forward slashes, whatever the platform: these split them
// without node:path, whose separator would follow the platform.

// The folder holding a library-relative path; '' for a file at the top of the library.
export function dirOf (path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? '' : path.slice(0, slash)
}

// The last segment of a library-relative path.
export function baseOf (path: string): string {
  return path.slice(path.lastIndexOf('/') + 1)
}

// Lower-case extension without its dot; '' when the name has none or only a leading dot
// (a hidden file such as ".flac" has no extension).
export function extensionOf (path: string): string {
  const slash = path.lastIndexOf('/')
  const dot = path.lastIndexOf('.')
  return dot > slash + 1 ? path.slice(dot + 1).toLowerCase() : ''
}

// Whether a real (symlink-resolved) absolute path lies below a real root. The root itself is not
// below it: a link or a request that resolves to the media root names a folder, never a file
// we serve or index. A root given with its trailing separator ("/" itself, or "/music/") means
// the same as without, and "/music2" is not below "/music".
export function isStrictlyInside (root: string, candidate: string): boolean {
  const prefix = root.endsWith(sep) ? root : root + sep
  return candidate.length > prefix.length && candidate.startsWith(prefix)
}
