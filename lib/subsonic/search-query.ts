// What a search2/search3 query asks for. Clients that sync a whole library (Symfonium, Feishin)
// send an empty query, two quote characters or a lone '*' and page through everything; others
// quote what the user typed or add a '*' as if the server matched prefixes. The words found
// are then matched anywhere in a name (every word must appear), so the '*' adds nothing.
export function searchWords (query: string | undefined): string | undefined {
  let text = (query ?? '').trim()
  if (text.length >= 2 && text.startsWith('"') && text.endsWith('"')) text = text.slice(1, -1).trim()
  text = text.replace(/\*+$/, '').trim()
  // undefined: the whole library.
  return text === '' ? undefined : text
}
