-- Playlists, their ordered entries, and the .m3u/.m3u8 files of the media folder they came from.
--
-- No cached library response (sql/003, lib/library/response-cache.ts) shows playlists, and the
-- playlist routes are not cached, so nothing here moves library_changes.

CREATE TABLE playlists (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name          text NOT NULL,
  type          text NOT NULL DEFAULT 'MANUAL'
                CHECK (type IN ('MANUAL', 'SMART', 'GENERATED', 'HISTORY_SNAPSHOT')),
  description   text,
  -- SMART playlists' rules, stored as the client sent them; the service does not evaluate them.
  rules         jsonb,
  snapshot_date timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_type_idx ON playlists (type);

-- One row per place in a playlist: the same track may hold several places. Positions only order
-- the entries (gaps are fine). track_id deliberately has no foreign key: a track whose file is
-- missing for a while loses its tracks row but keeps its id, and its entries must neither block
-- that removal nor vanish with it. An entry whose track is not in `tracks` is hidden, and shows
-- again when a track with that id is back.
CREATE TABLE playlist_entries (
  playlist_id uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
  position    integer NOT NULL,
  track_id    uuid NOT NULL,
  PRIMARY KEY (playlist_id, position)
);
CREATE INDEX playlist_entries_track_idx ON playlist_entries (track_id);

-- Playlist files found by scans, by library-relative path, with the size and mtime they had when
-- last imported: an unchanged file is not read again. playlist_id is NULL once the playlist was
-- deleted through the API, so an unchanged file does not bring it back.
CREATE TABLE playlist_files (
  path          text PRIMARY KEY,
  file_size     bigint NOT NULL,
  file_mtime_ms bigint NOT NULL,
  playlist_id   uuid UNIQUE REFERENCES playlists (id) ON DELETE SET NULL,
  entries       integer NOT NULL DEFAULT 0,
  unresolved    integer NOT NULL DEFAULT 0,
  -- The scan warning the last import produced (unresolvable lines), repeated by later scans.
  warning       text,
  -- Not found by the latest complete scan; its playlist is kept.
  missing       boolean NOT NULL DEFAULT false,
  imported_at   timestamptz NOT NULL DEFAULT now()
);
