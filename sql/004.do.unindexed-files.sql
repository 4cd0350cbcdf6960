-- Files a scan could not index because of what they contain (corrupt, truncated, not audio, video
-- only), with the size and mtime they had then. While both stay the same the file is not read
-- again: later scans report it from here. Any change to the file makes the next scan read it.
-- I/O errors (permissions, a failing disk) are not kept: they can go away with the file untouched.
CREATE TABLE unindexed_files (
  path          text PRIMARY KEY,
  file_size     bigint NOT NULL,
  file_mtime_ms bigint NOT NULL,
  message       text NOT NULL,
  skipped       boolean NOT NULL DEFAULT false,
  failed_at     timestamptz NOT NULL DEFAULT now()
);

-- A scan job run again (its worker died) walks again; its errors are recorded once per path.
CREATE INDEX scan_errors_scan_path_idx ON scan_errors (scan_id, path);
