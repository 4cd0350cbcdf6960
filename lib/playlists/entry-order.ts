// What replacing a playlist's whole track list does to the entries a client cannot see.
//
// An entry whose track is missing from the library (its file gone for now) is hidden from
// trackIds. A client that sends a new order never saw it, so the new list cannot say where it
// goes; dropping it would lose it for good when the track comes back. Each hidden entry instead
// stays right after the shown entry that preceded it. Shown entries are matched between the old
// and the new list by id and occurrence (the second "a" of the old list is the second "a" of the
// new one). When the preceding entry is not in the new list, the closest earlier one that is
// serves; with none, the hidden entry goes first.

export interface Entry {
  trackId: string
  shown: boolean
}

function occurrenceKeys (ids: string[]): string[] {
  const seen = new Map<string, number>()
  return ids.map((id) => {
    const n = (seen.get(id) ?? 0) + 1
    seen.set(id, n)
    return `${id}#${n}`
  })
}

// The full new entry list (track ids, hidden ones included) for the new shown order `next`.
export function reorderKeepingHidden (current: Entry[], next: string[]): string[] {
  const shownKeys = occurrenceKeys(current.filter((e) => e.shown).map((e) => e.trackId))
  const nextKeys = occurrenceKeys(next)
  const kept = new Set(nextKeys)

  // Hidden entries by the key of the shown entry they follow ('' for the start).
  const after = new Map<string, string[]>()
  let shownSeen = 0
  for (const entry of current) {
    if (entry.shown) {
      shownSeen++
      continue
    }
    let anchor = ''
    for (let i = shownSeen - 1; i >= 0; i--) {
      if (kept.has(shownKeys[i])) {
        anchor = shownKeys[i]
        break
      }
    }
    const list = after.get(anchor) ?? []
    list.push(entry.trackId)
    after.set(anchor, list)
  }
  if (after.size === 0) return next

  const out: string[] = [...(after.get('') ?? [])]
  next.forEach((id, i) => {
    out.push(id)
    const hidden = after.get(nextKeys[i])
    if (hidden !== undefined) out.push(...hidden)
  })
  return out
}
