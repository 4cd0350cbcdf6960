// How deeply a JSON text nests, counted without parsing it: a body nested thousands of levels
// deep parses fine but then overflows recursive code further on (validation, PostgreSQL's jsonb
// input), so it is refused before JSON.parse ever sees it.
export function jsonDepthExceeds (text: string, maxDepth: number): boolean {
  let depth = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 0x5c) i++ // backslash: skip the escaped character
      else if (c === 0x22) inString = false
    } else if (c === 0x22) {
      inString = true
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > maxDepth) return true
    } else if (c === 0x5d || c === 0x7d) {
      depth--
    }
  }
  return false
}
