// Text PostgreSQL cannot store: `text` refuses NUL (error 22021) and `jsonb` refuses unpaired
// UTF-16 surrogates. Such input is the caller's mistake, so it is found before any query runs.

const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

export const BAD_TEXT_MESSAGE = 'must not contain NUL characters or unpaired surrogates'

export function isBadText (value: string): boolean {
  return value.includes('\u0000') || UNPAIRED_SURROGATE.test(value)
}

// The path (`q`, `rules/0/name`) of the first string, or object key, that is bad text; null when
// there is none. Iterative, with each path kept as a link to its parent's, so a deeply nested
// value costs neither the stack nor quadratic copying.
interface Step { key: string, parent: Step | null }

function pathOf (step: Step | null): string {
  const keys: string[] = []
  for (let s = step; s !== null; s = s.parent) keys.push(s.key)
  return keys.reverse().join('/')
}

function firstPath (value: unknown, badValue: (v: unknown) => boolean, badKey: (k: string) => boolean): string | null {
  const pending: Array<{ value: unknown, step: Step | null }> = [{ value, step: null }]
  while (pending.length > 0) {
    const { value: current, step } = pending.pop() as { value: unknown, step: Step | null }
    if (badValue(current)) return pathOf(step)
    if (current !== null && typeof current === 'object') {
      const isArray = Array.isArray(current)
      for (const [key, inner] of Object.entries(current)) {
        if (!isArray && badKey(key)) return pathOf({ key: printable(key), parent: step })
        pending.push({ value: inner, step: { key, parent: step } })
      }
    }
  }
  return null
}

export function findBadText (value: unknown): string | null {
  return firstPath(value, (v) => typeof v === 'string' && isBadText(v), isBadText)
}

// JSON numbers beyond a double's range (1e400) parse as Infinity, which JSON, and so jsonb,
// cannot hold: stored, it would silently become null.
export function findNonFinite (value: unknown): string | null {
  return firstPath(value, (v) => typeof v === 'number' && !Number.isFinite(v), () => false)
}

// A bad key is named with its bad characters escaped, so the message itself is valid text.
function printable (key: string): string {
  return JSON.stringify(key).slice(1, -1).replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`)
}
