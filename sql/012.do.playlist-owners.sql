-- Playlists belong to a user (issue 12) and may be shared read-only with everyone.
--
-- Playlists saved before users existed were the one user's: they go to the owner row (sql/010),
-- which the first admin claims, so they become the first admin's without anyone moving them. Should
-- the owner row be gone by now, they go to the oldest admin, whom the shared API_KEY acts as
-- (keyAdminId in lib/users/user-repository.ts): the same person, by the same rule.
ALTER TABLE playlists
  ADD COLUMN owner_id  uuid REFERENCES users (id) ON DELETE CASCADE,
  ADD COLUMN is_public boolean NOT NULL DEFAULT false;

UPDATE playlists SET owner_id = (
  SELECT id FROM users WHERE role = 'admin'
  ORDER BY (id = '00000000-0000-4000-8000-000000000000') DESC, created_at, id LIMIT 1
);
-- A playlist imported from an .m3u file in the media folder is in everyone's library already.
UPDATE playlists SET is_public = true WHERE id IN (SELECT playlist_id FROM playlist_files WHERE playlist_id IS NOT NULL);

ALTER TABLE playlists ALTER COLUMN owner_id SET NOT NULL;

-- What a caller may list is their own playlists plus the public ones, by name: one index for
-- each half (the planner ORs them), the first also serving the cascade when a user is deleted.
CREATE INDEX playlists_owner_name_idx ON playlists (owner_id, lower(name), id);
CREATE INDEX playlists_public_name_idx ON playlists (lower(name), id) WHERE is_public;
