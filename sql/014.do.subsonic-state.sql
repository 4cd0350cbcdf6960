-- What the OpenSubsonic API (/rest) keeps per user beyond sql/011: stars and ratings of albums
-- and artists, when a track was starred, and the play queue a user saves on one device to pick
-- up on another.
--
-- album_id and artist_id have no foreign key, as track_id has none (sql/011): a scan removes
-- the albums and artists it left empty (lib/scan/track-repository.ts), and that must neither be
-- blocked by nor reach into users' rows. A row whose album is gone is never read: every read
-- joins albums or artists.
CREATE TABLE user_album_state (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  album_id   uuid NOT NULL,
  starred_at timestamptz,
  rating     smallint CHECK (rating BETWEEN 1 AND 5),
  PRIMARY KEY (user_id, album_id)
);
CREATE TABLE user_artist_state (
  user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  artist_id  uuid NOT NULL,
  starred_at timestamptz,
  rating     smallint CHECK (rating BETWEEN 1 AND 5),
  PRIMARY KEY (user_id, artist_id)
);
-- One person's starred items newest first, and their rated albums best first, without reading
-- their other rows.
CREATE INDEX user_album_state_starred_idx ON user_album_state (user_id, starred_at, album_id) WHERE starred_at IS NOT NULL;
CREATE INDEX user_album_state_rated_idx ON user_album_state (user_id, rating, album_id) WHERE rating IS NOT NULL;
CREATE INDEX user_artist_state_starred_idx ON user_artist_state (user_id, starred_at, artist_id) WHERE starred_at IS NOT NULL;

-- Subsonic shows when an item was starred and lists stars newest first. A favourite from before
-- has no known time: it counts as starred now. From here on starred_at is set exactly while
-- is_favorite is true (lib/library/track-repository.ts writes both together).
ALTER TABLE user_track_state ADD COLUMN starred_at timestamptz;
UPDATE user_track_state SET starred_at = now() WHERE is_favorite;
CREATE INDEX user_track_state_starred_idx ON user_track_state (user_id, starred_at, track_id) WHERE is_favorite;

-- A star or rating of an album or artist is a user's state like a track's (sql/011): a route may
-- cache a response that shows it, so a write that changes a row moves the library version, and
-- one that changes nothing does not (sql/013).
CREATE TRIGGER user_album_state_inserted AFTER INSERT ON user_album_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_album_state_updated AFTER UPDATE ON user_album_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_album_state_deleted AFTER DELETE ON user_album_state
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_album_state_truncated AFTER TRUNCATE ON user_album_state
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER user_artist_state_inserted AFTER INSERT ON user_artist_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_artist_state_updated AFTER UPDATE ON user_artist_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_artist_state_deleted AFTER DELETE ON user_artist_state
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_artist_state_truncated AFTER TRUNCATE ON user_artist_state
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

-- One saved queue per user (savePlayQueue replaces it whole). track_ids keeps ids of tracks that
-- have left `tracks`, as playlists do; readers skip what they cannot find. No library response
-- shows a queue, so nothing here moves library_changes.
CREATE TABLE play_queues (
  user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  track_ids   uuid[] NOT NULL,
  current_id  uuid,
  position_ms bigint NOT NULL DEFAULT 0,
  changed_at  timestamptz NOT NULL DEFAULT now(),
  -- The client that saved it (Subsonic's `c` parameter).
  changed_by  text NOT NULL DEFAULT ''
);
