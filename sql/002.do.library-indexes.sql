-- Library list support.
--
-- library_changes: one row per statement that changes what a list shows (rows added or removed,
-- or a sort/filter column rewritten). Readers cache totals and deep-page id lists under the
-- fingerprint (max(id), count(*)), which changes with every committed change and only then:
-- ids only grow, and the compaction below replaces old rows with one of a higher id. Inserting
-- rows takes no lock other writers wait on, so concurrent scanner batches never contend here.
-- User state (play count, favourite, analysis) is not a list column and does not count.
CREATE TABLE library_changes (
  id         bigserial PRIMARY KEY,
  changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO library_changes DEFAULT VALUES;

CREATE FUNCTION note_library_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO library_changes DEFAULT VALUES;
  RETURN NULL;
END
$$;

CREATE TRIGGER tracks_rows_changed AFTER INSERT OR DELETE OR TRUNCATE ON tracks
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER tracks_keys_changed AFTER UPDATE OF
  title_key, artist_key, album_key, artist_id, album_id, disc_number, track_number, year, genres,
  duration, added_at, search_key
  ON tracks FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER albums_rows_changed AFTER INSERT OR DELETE OR TRUNCATE ON albums
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER albums_keys_changed AFTER UPDATE OF sort_key, title_key, artist_id, year, created_at, search_key
  ON albums FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

CREATE TRIGGER artists_rows_changed AFTER INSERT OR DELETE OR TRUNCATE ON artists
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
CREATE TRIGGER artists_keys_changed AFTER UPDATE OF sort_key, name_key
  ON artists FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();

-- sort=trackNumber over the whole library (within one album, tracks_album_order_idx serves).
CREATE INDEX tracks_track_number_idx ON tracks (disc_number, track_number, id);

-- Search's first tier, "the name starts with the query": a LIKE 'prefix%' range scan. The
-- database collation is not C, so the plain btrees cannot serve LIKE; text_pattern_ops can.
CREATE INDEX tracks_title_prefix_idx ON tracks (title_key text_pattern_ops);
CREATE INDEX albums_title_prefix_idx ON albums (title_key text_pattern_ops);
CREATE INDEX artists_name_prefix_idx ON artists (name_key text_pattern_ops);
