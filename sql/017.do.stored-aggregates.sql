-- Album and artist aggregates, stored. The album and artist lists used to compute each row's
-- track count, length, genres (and an artist's album count and image) from its tracks on every
-- page: for an artist with thousands of tracks that is thousands of rows read per page. They
-- only change when tracks or albums do, so statement-level triggers keep them here, for every
-- writer alike (scan batches, retags, moves, removals, tidy-up), in the writer's transaction:
-- a list never sees tracks without their aggregates. Each statement recomputes only the albums
-- and artists its rows touched, from their rows (through tracks_album_order_idx and
-- tracks_artist_id_idx), and writes only values that differ.
--
-- The aggregates are not in the "shown" triggers of sql/003: any change that moves them is a
-- change of tracks or albums that already moves the library version.

ALTER TABLE albums
  ADD COLUMN track_count    integer NOT NULL DEFAULT 0,
  ADD COLUMN total_duration double precision NOT NULL DEFAULT 0,
  ADD COLUMN genres         text[] NOT NULL DEFAULT '{}';

ALTER TABLE artists
  ADD COLUMN track_count    integer NOT NULL DEFAULT 0,
  ADD COLUMN album_count    integer NOT NULL DEFAULT 0,
  ADD COLUMN genres         text[] NOT NULL DEFAULT '{}',
  -- One of the artist's albums with a cover (earliest year, then title): the artist's image.
  ADD COLUMN image_album_id uuid;

CREATE INDEX albums_artist_id_idx ON albums (artist_id);
-- The artists list's sort=trackCount walks this instead of counting every artist's tracks.
CREATE INDEX artists_track_count_idx ON artists (track_count, id);

CREATE FUNCTION refresh_album_aggregates(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE albums al SET track_count = s.n, total_duration = s.d, genres = s.g
  FROM (
    SELECT x.id,
           (SELECT count(*)::int FROM tracks t WHERE t.album_id = x.id) AS n,
           (SELECT coalesce(sum(t.duration), 0)::float8 FROM tracks t WHERE t.album_id = x.id) AS d,
           coalesce((SELECT array_agg(DISTINCT g ORDER BY g) FROM tracks t, unnest(t.genres) g
                     WHERE t.album_id = x.id), '{}') AS g
    FROM (SELECT DISTINCT i AS id FROM unnest(ids) i WHERE i IS NOT NULL) x
  ) s
  WHERE al.id = s.id AND (al.track_count, al.total_duration, al.genres) IS DISTINCT FROM (s.n, s.d, s.g)
$$;

CREATE FUNCTION refresh_artist_aggregates(ids uuid[]) RETURNS void LANGUAGE sql AS $$
  UPDATE artists a SET track_count = s.n, album_count = s.m, genres = s.g, image_album_id = s.img
  FROM (
    SELECT x.id,
           (SELECT count(*)::int FROM tracks t WHERE t.artist_id = x.id) AS n,
           (SELECT count(*)::int FROM albums al WHERE al.artist_id = x.id) AS m,
           coalesce((SELECT array_agg(DISTINCT g ORDER BY g) FROM tracks t, unnest(t.genres) g
                     WHERE t.artist_id = x.id), '{}') AS g,
           (SELECT al.id FROM albums al WHERE al.artist_id = x.id AND al.cover_source IS NOT NULL
            ORDER BY al.year NULLS LAST, al.sort_key, al.id LIMIT 1) AS img
    FROM (SELECT DISTINCT i AS id FROM unnest(ids) i WHERE i IS NOT NULL) x
  ) s
  WHERE a.id = s.id
    AND (a.track_count, a.album_count, a.genres, a.image_album_id) IS DISTINCT FROM (s.n, s.m, s.g, s.img)
$$;

-- Transition tables cannot go with a column list (UPDATE OF ...), so the update triggers fire
-- on every update and look for the columns that count themselves.
CREATE FUNCTION tracks_aggregates_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_album_aggregates((SELECT array_agg(DISTINCT album_id) FROM new_rows));
  PERFORM refresh_artist_aggregates((SELECT array_agg(DISTINCT artist_id) FROM new_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION tracks_aggregates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_album_aggregates((SELECT array_agg(DISTINCT album_id) FROM old_rows));
  PERFORM refresh_artist_aggregates((SELECT array_agg(DISTINCT artist_id) FROM old_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION tracks_aggregates_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_album_aggregates((
    SELECT array_agg(DISTINCT id) FROM (
      SELECT o.album_id AS id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.album_id, o.duration, o.genres) IS DISTINCT FROM (n.album_id, n.duration, n.genres)
      UNION ALL
      SELECT n.album_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.album_id, o.duration, o.genres) IS DISTINCT FROM (n.album_id, n.duration, n.genres)) c));
  PERFORM refresh_artist_aggregates((
    SELECT array_agg(DISTINCT id) FROM (
      SELECT o.artist_id AS id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.artist_id, o.genres) IS DISTINCT FROM (n.artist_id, n.genres)
      UNION ALL
      SELECT n.artist_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.artist_id, o.genres) IS DISTINCT FROM (n.artist_id, n.genres)) c));
  RETURN NULL;
END
$$;

CREATE TRIGGER tracks_aggregates_inserted AFTER INSERT ON tracks REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tracks_aggregates_inserted();
CREATE TRIGGER tracks_aggregates_deleted AFTER DELETE ON tracks REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tracks_aggregates_deleted();
CREATE TRIGGER tracks_aggregates_updated AFTER UPDATE ON tracks REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION tracks_aggregates_updated();

-- An artist's album count and image follow its albums.
CREATE FUNCTION albums_aggregates_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_artist_aggregates((SELECT array_agg(DISTINCT artist_id) FROM new_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION albums_aggregates_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_artist_aggregates((SELECT array_agg(DISTINCT artist_id) FROM old_rows));
  RETURN NULL;
END
$$;

CREATE FUNCTION albums_aggregates_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM refresh_artist_aggregates((
    SELECT array_agg(DISTINCT id) FROM (
      SELECT o.artist_id AS id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.artist_id, o.cover_source IS NULL, o.year, o.sort_key) IS DISTINCT FROM (n.artist_id, n.cover_source IS NULL, n.year, n.sort_key)
      UNION ALL
      SELECT n.artist_id FROM old_rows o JOIN new_rows n ON n.id = o.id
      WHERE (o.artist_id, o.cover_source IS NULL, o.year, o.sort_key) IS DISTINCT FROM (n.artist_id, n.cover_source IS NULL, n.year, n.sort_key)) c));
  RETURN NULL;
END
$$;

CREATE TRIGGER albums_aggregates_inserted AFTER INSERT ON albums REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION albums_aggregates_inserted();
CREATE TRIGGER albums_aggregates_deleted AFTER DELETE ON albums REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION albums_aggregates_deleted();
CREATE TRIGGER albums_aggregates_updated AFTER UPDATE ON albums REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION albums_aggregates_updated();

-- The library as it is now, in one pass each.
UPDATE albums al SET track_count = s.n, total_duration = s.d
FROM (SELECT album_id, count(*)::int AS n, coalesce(sum(duration), 0)::float8 AS d FROM tracks GROUP BY album_id) s
WHERE al.id = s.album_id;
UPDATE albums al SET genres = s.g
FROM (SELECT t.album_id, array_agg(DISTINCT g ORDER BY g) AS g FROM tracks t, unnest(t.genres) g GROUP BY t.album_id) s
WHERE al.id = s.album_id;
UPDATE artists a SET track_count = s.n
FROM (SELECT artist_id, count(*)::int AS n FROM tracks GROUP BY artist_id) s WHERE a.id = s.artist_id;
UPDATE artists a SET album_count = s.n
FROM (SELECT artist_id, count(*)::int AS n FROM albums GROUP BY artist_id) s WHERE a.id = s.artist_id;
UPDATE artists a SET genres = s.g
FROM (SELECT t.artist_id, array_agg(DISTINCT g ORDER BY g) AS g FROM tracks t, unnest(t.genres) g GROUP BY t.artist_id) s
WHERE a.id = s.artist_id;
UPDATE artists a SET image_album_id = s.id
FROM (SELECT DISTINCT ON (artist_id) artist_id, id FROM albums WHERE cover_source IS NOT NULL
      ORDER BY artist_id, year NULLS LAST, sort_key, id) s
WHERE a.id = s.artist_id;
