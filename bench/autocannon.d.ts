// The part of autocannon's API the benchmarks use (the package ships no types).
declare module 'autocannon' {
  namespace autocannon {
    interface Request { method?: string, path: string, headers?: Record<string, string>, setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }
    interface Options { url: string, connections?: number, duration?: number, requests?: Request[] }
    interface Histogram { average: number, p50: number, p90: number, p97_5: number, p99: number, max: number }
    interface Result { requests: Histogram, latency: Histogram, errors: number, non2xx: number, timeouts: number, '2xx': number }
  }
  function autocannon (options: autocannon.Options): Promise<autocannon.Result>
  export default autocannon
}
