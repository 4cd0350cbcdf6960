// A Subsonic request's parameters: the query and, for a form POST (the formPost extension), the
// form fields, merged; a name given several times (id=1&id=2) has several values.
import { isBadText } from '../input/bad-text.js'
import { CODES, SubsonicError } from './errors.js'
import { MAX_REQUEST_TRACK_IDS } from '../../schemas/playlist.js'

type Raw = Record<string, string | string[] | undefined> | undefined | null

const invalid = (name: string, why: string): SubsonicError => new SubsonicError(CODES.generic, `Parameter '${name}' ${why}`)

// Past this, a value is not a parameter anyone sends but an attempt to make the server work. A
// saved play queue or a playlist is the longest list an app sends: as long as /api's playlists.
const MAX_VALUES = MAX_REQUEST_TRACK_IDS
const MAX_LENGTH = 4096

export class Params {
  private readonly values = new Map<string, string[]>()

  constructor (...sources: Raw[]) {
    for (const source of sources) {
      if (source === undefined || source === null || typeof source !== 'object') continue
      for (const [name, value] of Object.entries(source)) {
        if (value === undefined) continue
        const list = this.values.get(name) ?? []
        for (const one of Array.isArray(value) ? value : [value]) list.push(String(one))
        this.values.set(name, list)
      }
    }
  }

  has (name: string): boolean {
    return this.values.has(name)
  }

  // Every value of a repeated parameter, in order; [] when absent.
  all (name: string): string[] {
    const list = this.values.get(name) ?? []
    if (list.length > MAX_VALUES) throw invalid(name, `may be given at most ${MAX_VALUES} times`)
    for (const value of list) this.check(name, value)
    return list
  }

  // The first value; undefined when absent.
  string (name: string): string | undefined {
    const value = this.values.get(name)?.[0]
    if (value !== undefined) this.check(name, value)
    return value
  }

  required (name: string): string {
    const value = this.string(name)
    if (value === undefined || value === '') throw new SubsonicError(CODES.missingParameter, `Required parameter '${name}' is missing`)
    return value
  }

  // A whole number in [min, max]; `fallback` when absent or empty.
  int (name: string, range: { min: number, max: number }, fallback: number): number
  int (name: string, range: { min: number, max: number }): number | undefined
  int (name: string, { min, max }: { min: number, max: number }, fallback?: number): number | undefined {
    const text = this.string(name)
    if (text === undefined || text === '') return fallback
    if (!/^-?\d{1,16}$/.test(text)) throw invalid(name, 'must be a whole number')
    const value = Number(text)
    if (value < min || value > max) throw invalid(name, `must be between ${min} and ${max}`)
    return value
  }

  requiredInt (name: string, range: { min: number, max: number }): number {
    this.required(name)
    return this.int(name, range) as number
  }

  // true/false as Subsonic clients write them (also 1/0); `fallback` when absent.
  bool (name: string, fallback: boolean): boolean {
    const text = this.string(name)?.toLowerCase()
    if (text === undefined || text === '') return fallback
    if (text === 'true' || text === '1') return true
    if (text === 'false' || text === '0') return false
    throw invalid(name, 'must be true or false')
  }

  private check (name: string, value: string): void {
    if (value.length > MAX_LENGTH) throw invalid(name, `must be at most ${MAX_LENGTH} characters`)
    if (isBadText(value)) throw invalid(name, 'must not contain NUL characters or unpaired surrogates')
  }
}
