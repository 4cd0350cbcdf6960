-- Library schema. Text used for identity, sorting and search is folded in the application
-- (lib/text-fold.ts: lower case, accents removed) and stored beside the display value, so the
-- same indexes serve PostgreSQL and PGlite without depending on unaccent() in index expressions.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE artists (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name        text NOT NULL,
  name_key    text NOT NULL UNIQUE,
  sort_key    text NOT NULL,
  mbid        text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX artists_sort_idx ON artists (sort_key, id);
CREATE INDEX artists_name_key_trgm_idx ON artists USING gin (name_key gin_trgm_ops);

CREATE TABLE albums (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title        text NOT NULL,
  title_key    text NOT NULL,
  sort_key     text NOT NULL,
  artist_id    uuid NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
  album_artist text NOT NULL,
  year         integer,
  compilation  boolean NOT NULL DEFAULT false,
  mb_album_id  text,
  -- Where the cover comes from: 'embedded:<library-relative track path>', 'file:<library-relative
  -- image path>', or NULL when none was found at the last scan.
  cover_source text,
  search_key   text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX albums_identity_idx ON albums (artist_id, title_key, (coalesce(mb_album_id, '')));
CREATE INDEX albums_sort_idx ON albums (sort_key, id);
CREATE INDEX albums_year_idx ON albums (year, id);
CREATE INDEX albums_created_idx ON albums (created_at, id);
CREATE INDEX albums_artist_idx ON albums (artist_id);
CREATE INDEX albums_search_trgm_idx ON albums USING gin (search_key gin_trgm_ops);

CREATE TABLE tracks (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  file_path             text NOT NULL UNIQUE,
  file_size             bigint NOT NULL,
  file_mtime_ms         bigint NOT NULL,
  title                 text NOT NULL,
  title_key             text NOT NULL,
  artist                text NOT NULL,
  artists               text[] NOT NULL DEFAULT '{}',
  artist_key            text NOT NULL,
  artist_id             uuid NOT NULL REFERENCES artists (id),
  album_artist          text NOT NULL,
  album                 text NOT NULL,
  album_key             text NOT NULL,
  album_id              uuid NOT NULL REFERENCES albums (id),
  track_number          integer,
  track_total           integer,
  disc_number           integer,
  disc_total            integer,
  year                  integer,
  genres                text[] NOT NULL DEFAULT '{}',
  duration              double precision,
  container             text,
  codec                 text,
  bitrate               integer,
  sample_rate           integer,
  channels              integer,
  bits_per_sample       integer,
  lossless              boolean NOT NULL DEFAULT false,
  mb_track_id           text,
  mb_recording_id       text,
  mb_album_id           text,
  mb_artist_id          text,
  mb_album_artist_id    text,
  replaygain_track_gain double precision,
  replaygain_track_peak double precision,
  replaygain_album_gain double precision,
  replaygain_album_peak double precision,
  has_cover             boolean NOT NULL DEFAULT false,
  search_key            text NOT NULL DEFAULT '',
  -- User and analysis state: never written by the scanner, so rescans keep it.
  play_count            integer NOT NULL DEFAULT 0,
  last_played           timestamptz,
  is_favorite           boolean NOT NULL DEFAULT false,
  analysis              jsonb,
  analysis_updated_at   timestamptz,
  added_at              timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tracks_title_idx ON tracks (title_key, id);
CREATE INDEX tracks_artist_idx ON tracks (artist_key, album_key, disc_number, track_number, id);
CREATE INDEX tracks_album_sort_idx ON tracks (album_key, disc_number, track_number, id);
CREATE INDEX tracks_year_idx ON tracks (year, id);
CREATE INDEX tracks_added_idx ON tracks (added_at, id);
CREATE INDEX tracks_duration_idx ON tracks (duration, id);
CREATE INDEX tracks_album_order_idx ON tracks (album_id, disc_number, track_number, id);
CREATE INDEX tracks_artist_id_idx ON tracks (artist_id);
CREATE INDEX tracks_genres_idx ON tracks USING gin (genres);
CREATE INDEX tracks_search_trgm_idx ON tracks USING gin (search_key gin_trgm_ops);

CREATE TABLE scans (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status       text NOT NULL DEFAULT 'queued'
               CHECK (status IN ('queued', 'running', 'completed', 'failed', 'aborted')),
  phase        text NOT NULL DEFAULT 'scanning'
               CHECK (phase IN ('scanning', 'indexing', 'complete', 'error')),
  started_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  files_seen   integer NOT NULL DEFAULT 0,
  total        integer NOT NULL DEFAULT 0,
  processed    integer NOT NULL DEFAULT 0,
  added        integer NOT NULL DEFAULT 0,
  updated      integer NOT NULL DEFAULT 0,
  removed      integer NOT NULL DEFAULT 0,
  failed       integer NOT NULL DEFAULT 0,
  skipped      integer NOT NULL DEFAULT 0,
  current_file text,
  error        text
);
CREATE INDEX scans_started_idx ON scans (started_at DESC);
-- At most one scan may be queued or running at a time, whichever process asks.
CREATE UNIQUE INDEX scans_one_active_idx ON scans ((true)) WHERE status IN ('queued', 'running');

CREATE TABLE scan_errors (
  id         bigserial PRIMARY KEY,
  scan_id    uuid NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
  path       text NOT NULL,
  message    text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scan_errors_scan_idx ON scan_errors (scan_id, id);
