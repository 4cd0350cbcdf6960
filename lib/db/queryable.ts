// The minimal query surface both pg.Pool and a checked-out client offer.
export interface Queryable {
  query: <R extends object = Record<string, unknown>>(text: string, values?: unknown[]) => Promise<{ rows: R[], rowCount: number | null }>
}
