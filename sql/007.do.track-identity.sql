-- Track identity across moves and absences.
--
-- content_key: the file's content identity (its size and a hash of its first 64 KiB and last 4 KiB),
-- written with the tags. Unlike the path it survives a move or a rename; a retag changes it, but
-- a file retagged in place keeps its row (and id) by path anyway. NULL for tracks indexed before
-- this migration until the next scan reads them.
ALTER TABLE tracks ADD COLUMN content_key text;
CREATE INDEX tracks_content_key_idx ON tracks (content_key) WHERE content_key IS NOT NULL;

-- A track whose file a complete scan no longer finds leaves `tracks` (lists, search and streams
-- stop showing it) but its id and user state are kept here. When a file with the same content
-- (or, failing that, at the same path) is indexed again, the track comes back with that id, so
-- favourites, play counts, analysis and playlist entries (which name the id) are as they were.
CREATE TABLE retired_tracks (
  id                  uuid PRIMARY KEY,
  file_path           text NOT NULL,
  content_key         text,
  play_count          integer NOT NULL DEFAULT 0,
  last_played         timestamptz,
  is_favorite         boolean NOT NULL DEFAULT false,
  analysis            jsonb,
  analysis_updated_at timestamptz,
  added_at            timestamptz NOT NULL,
  retired_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX retired_tracks_content_key_idx ON retired_tracks (content_key) WHERE content_key IS NOT NULL;
CREATE INDEX retired_tracks_path_idx ON retired_tracks (file_path);

-- Warnings a scan recorded in scan_errors (messages starting "warning: "): a scan that completed
-- with warnings > 0 kept something it could not check (an unreadable folder, for one).
ALTER TABLE scans ADD COLUMN warnings integer NOT NULL DEFAULT 0;
