// What a client may ask of one scan (the web app's scan settings). They travel inside the scan
// job's data, and the scan job hands the parse-related ones to each index job it queues, so a
// BullMQ worker on another machine honours them exactly as the in-process runner does.
export interface ScanOptions {
  // Bytes; 0 means no limit. A larger new or changed file is not read and counts as skipped.
  scanFileSizeLimit: number
  // Bytes; 0 means no limit. A file whose cover picture is larger is recorded without a cover.
  coverArtSizeLimit: number
  // false: one parse thread for this scan instead of one per core.
  parallelScanning: boolean
}

export const DEFAULT_SCAN_OPTIONS: Readonly<ScanOptions> = Object.freeze({
  scanFileSizeLimit: 0,
  coverArtSizeLimit: 0,
  parallelScanning: true
})

// Fills what a request (or a job queued by an older version, which carried none) left out.
export function scanOptions (given: Partial<ScanOptions> | undefined): ScanOptions {
  return {
    scanFileSizeLimit: given?.scanFileSizeLimit ?? DEFAULT_SCAN_OPTIONS.scanFileSizeLimit,
    coverArtSizeLimit: given?.coverArtSizeLimit ?? DEFAULT_SCAN_OPTIONS.coverArtSizeLimit,
    parallelScanning: given?.parallelScanning ?? DEFAULT_SCAN_OPTIONS.parallelScanning
  }
}

export function exceedsLimit (bytes: number, limit: number): boolean {
  return limit > 0 && bytes > limit
}

// How the parser is to treat one batch.
export interface ParseOptions {
  coverArtSizeLimit: number
  // At most this many parse threads for the batch (undefined: all of them).
  threads?: number
}

export function parseOptionsOf (options: ScanOptions): ParseOptions {
  return options.parallelScanning
    ? { coverArtSizeLimit: options.coverArtSizeLimit }
    : { coverArtSizeLimit: options.coverArtSizeLimit, threads: 1 }
}
