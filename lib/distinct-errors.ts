// A dependency that stays down fails the same way on every reconnect attempt (every 2 s for
// Redis): logging each would bury everything else. This remembers the last error's message so a
// caller logs a failure once, then again only when it changes or after a recovery.
export interface DistinctErrors {
  // True when this error's message differs from the last one seen (or none was seen).
  isNew: (err: unknown) => boolean
  // The dependency works again: the next error is new whatever it says. True when an error was
  // outstanding, so the caller can log the recovery once.
  recovered: () => boolean
}

export function distinctErrors (): DistinctErrors {
  let last: string | null = null
  return {
    isNew: (err) => {
      const message = err instanceof Error ? err.message : String(err)
      const fresh = message !== last
      last = message
      return fresh
    },
    recovered: () => {
      const hadError = last !== null
      last = null
      return hadError
    }
  }
}
