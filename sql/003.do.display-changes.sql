-- Library responses (list pages, search, alphabet index) are cached per library version by the
-- service (lib/library/response-cache.ts), so the version must move whenever anything such a
-- response shows changes: not only sort and filter columns, but also a bitrate after a retag, a
-- cover found, a play counted or a favourite set. Analysis results are not shown in these
-- responses and arrive in bursts from workers, so they do not count.
-- When a column is added to one of these tables, add it here if responses show it.
DROP TRIGGER tracks_keys_changed ON tracks;
CREATE TRIGGER tracks_shown_changed AFTER UPDATE OF
  file_path, file_size, file_mtime_ms, title, title_key, artist, artists, artist_key, artist_id,
  album_artist, album, album_key, album_id, track_number, track_total, disc_number, disc_total,
  year, genres, duration, container, codec, bitrate, sample_rate, channels, bits_per_sample,
  lossless, mb_track_id, mb_recording_id, mb_album_id, mb_artist_id, mb_album_artist_id,
  replaygain_track_gain, replaygain_track_peak, replaygain_album_gain, replaygain_album_peak,
  has_cover, search_key, play_count, last_played, is_favorite, added_at, updated_at
  ON tracks FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

DROP TRIGGER albums_keys_changed ON albums;
CREATE TRIGGER albums_shown_changed AFTER UPDATE OF
  title, title_key, sort_key, artist_id, album_artist, year, compilation, mb_album_id,
  cover_source, search_key, created_at, updated_at
  ON albums FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

DROP TRIGGER artists_keys_changed ON artists;
CREATE TRIGGER artists_shown_changed AFTER UPDATE OF
  name, name_key, sort_key, mbid, created_at, updated_at
  ON artists FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
