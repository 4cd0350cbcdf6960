-- Favourites, ratings and plays belong to a person, not to the track: each user has their own.
--
-- track_id deliberately has no foreign key, as in playlist_entries (sql/006): a track whose file
-- is away for a while leaves `tracks` but keeps its id in retired_tracks (sql/007), and its
-- state rows must neither block that removal nor vanish with it. When the file returns, the
-- track comes back with the same id, so every user's state is there again without a copy.
CREATE TABLE user_track_state (
  user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  track_id    uuid NOT NULL,
  is_favorite boolean NOT NULL DEFAULT false,
  rating      smallint CHECK (rating BETWEEN 1 AND 5),
  play_count  integer NOT NULL DEFAULT 0,
  last_played timestamptz,
  PRIMARY KEY (user_id, track_id)
);
CREATE INDEX user_track_state_track_idx ON user_track_state (track_id);
-- One person's favourites (favorite=true) and most recent plays, without reading their other rows.
CREATE INDEX user_track_state_favorite_idx ON user_track_state (user_id, track_id) WHERE is_favorite;
CREATE INDEX user_track_state_played_idx ON user_track_state (user_id, last_played, track_id) WHERE last_played IS NOT NULL;

-- What was saved before users existed belongs to the owner row (sql/010), which the first admin
-- claims. Retired tracks bring theirs too, for when their files return. Only rows with some
-- state are copied: no row reads as "never played, not a favourite, unrated".
INSERT INTO user_track_state (user_id, track_id, is_favorite, rating, play_count, last_played)
SELECT '00000000-0000-4000-8000-000000000000', id, is_favorite, rating, play_count, last_played
FROM tracks
WHERE is_favorite OR rating IS NOT NULL OR play_count > 0 OR last_played IS NOT NULL;

-- retired_tracks.rating had no CHECK of its own; a value outside 1..5 is dropped, not the row.
INSERT INTO user_track_state (user_id, track_id, is_favorite, rating, play_count, last_played)
SELECT '00000000-0000-4000-8000-000000000000', id, is_favorite,
       CASE WHEN rating BETWEEN 1 AND 5 THEN rating END, greatest(play_count, 0), last_played
FROM retired_tracks
WHERE is_favorite OR rating IS NOT NULL OR play_count > 0 OR last_played IS NOT NULL
ON CONFLICT (user_id, track_id) DO NOTHING;

-- The trigger names the columns about to go, so it goes first and comes back without them.
DROP TRIGGER tracks_shown_changed ON tracks;
ALTER TABLE tracks DROP COLUMN play_count, DROP COLUMN last_played, DROP COLUMN is_favorite, DROP COLUMN rating;
ALTER TABLE retired_tracks DROP COLUMN play_count, DROP COLUMN last_played, DROP COLUMN is_favorite, DROP COLUMN rating;

CREATE TRIGGER tracks_shown_changed AFTER UPDATE OF
  file_path, file_size, file_mtime_ms, title, sort_key, artist, artists, artist_key, artist_id,
  album_artist, album, album_key, album_id, track_number, track_total, disc_number, disc_total,
  year, genres, duration, container, codec, bitrate, sample_rate, channels, bits_per_sample,
  lossless, mb_track_id, mb_recording_id, mb_album_id, mb_artist_id, mb_album_artist_id,
  replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, replaygain_album_peak,
  has_cover, search_key, added_at, updated_at
  ON tracks FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

-- Cached library responses show the caller's state (sql/003): a play counted or a favourite set
-- by anyone moves the library version. The response caches key bodies by caller as well, so
-- the move only rebuilds what each caller sees.
CREATE TRIGGER user_track_state_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON user_track_state
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
