-- What the Sonántica apps' Track type reads and the scanner could not always give.
--
-- rating: the user's 1-5 stars, or NULL for none. User state like play_count and is_favorite:
-- the scanner never writes it, so rescans keep it.
ALTER TABLE tracks ADD COLUMN rating smallint CHECK (rating BETWEEN 1 AND 5);
-- A removed track keeps its rating with the rest of its state (sql/007).
ALTER TABLE retired_tracks ADD COLUMN rating smallint;

-- duration: a number for every track. 0 means it could not be known (the scan that indexed the
-- file recorded a warning); older scans left NULL for that, or a negative length from a
-- truncated Ogg file.
UPDATE tracks SET duration = 0 WHERE duration IS NULL OR duration < 0;
ALTER TABLE tracks ALTER COLUMN duration SET DEFAULT 0;

-- Library responses are cached until a column they show changes (sql/003): add rating.
DROP TRIGGER tracks_shown_changed ON tracks;
CREATE TRIGGER tracks_shown_changed AFTER UPDATE OF
  file_path, file_size, file_mtime_ms, title, title_key, artist, artists, artist_key, artist_id,
  album_artist, album, album_key, album_id, track_number, track_total, disc_number, disc_total,
  year, genres, duration, container, codec, bitrate, sample_rate, channels, bits_per_sample,
  lossless, mb_track_id, mb_recording_id, mb_album_id, mb_artist_id, mb_album_artist_id,
  replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, replaygain_album_peak,
  has_cover, search_key, play_count, last_played, is_favorite, rating, added_at, updated_at
  ON tracks FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
