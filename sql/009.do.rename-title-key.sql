-- tracks.title_key held the title's sort key (article dropped: "The Ballad" sorts under B), while
-- albums.title_key is the album's identity key (article kept) beside albums.sort_key. One name,
-- one meaning on every table: the tracks column is the sort key, and is named so.
ALTER TABLE tracks RENAME COLUMN title_key TO sort_key;
-- Named like albums_sort_idx and artists_sort_idx, which serve the same default sort.
ALTER INDEX tracks_title_idx RENAME TO tracks_sort_idx;
ALTER INDEX tracks_title_prefix_idx RENAME TO tracks_sort_prefix_idx;

-- The trigger follows the renamed column by itself; it is made again so that the newest
-- definition, the one the next migration copies from (sql/003), names the columns as they are.
DROP TRIGGER tracks_shown_changed ON tracks;
CREATE TRIGGER tracks_shown_changed AFTER UPDATE OF
  file_path, file_size, file_mtime_ms, title, sort_key, artist, artists, artist_key, artist_id,
  album_artist, album, album_key, album_id, track_number, track_total, disc_number, disc_total,
  year, genres, duration, container, codec, bitrate, sample_rate, channels, bits_per_sample,
  lossless, mb_track_id, mb_recording_id, mb_album_id, mb_artist_id, mb_album_artist_id,
  replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, replaygain_album_peak,
  has_cover, search_key, play_count, last_played, is_favorite, rating, added_at, updated_at
  ON tracks FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
