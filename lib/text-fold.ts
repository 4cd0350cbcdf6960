// Folding for identity, sorting and search: "Sigur Rós", "SIGUR ROS" and "sigur ros" are one
// key. Stored next to the display text, so SQL compares plain columns on every backend.
export function fold (value: string): string {
  return value
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim()
}

// Sort keys drop a leading English article, as record shops file "The Beatles" under B.
export function sortKey (value: string): string {
  const folded = fold(value)
  return folded.replace(/^(the|a|an) (?=\S)/, '')
}
