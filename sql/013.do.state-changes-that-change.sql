-- A favourite set to what it already was, or a rating for a track that does not exist, writes no
-- row; it must not move the library version either, or any user could empty every user's cached
-- responses with requests that change nothing (sql/011's trigger fired per statement, rows or
-- not). Transition tables show what a statement really touched; a trigger may name only one
-- event when it has them, hence one per event.
CREATE FUNCTION note_rows_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed) THEN
    INSERT INTO library_changes DEFAULT VALUES;
  END IF;
  RETURN NULL;
END $$;

DROP TRIGGER user_track_state_changed ON user_track_state;
CREATE TRIGGER user_track_state_inserted AFTER INSERT ON user_track_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_track_state_updated AFTER UPDATE ON user_track_state
  REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_track_state_deleted AFTER DELETE ON user_track_state
  REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION note_rows_changed();
CREATE TRIGGER user_track_state_truncated AFTER TRUNCATE ON user_track_state
  FOR EACH STATEMENT EXECUTE FUNCTION note_library_change();
