-- People who share the server, and the keys their devices and apps call it with.
--
-- The owner row: before anyone signs up, the service is open (or guarded by the one API_KEY) and
-- everything a caller saves belongs to this row. The first admin is made by claiming it (setting
-- its username and password), so favourites, plays and playlists saved before users existed are
-- the first admin's without moving a row. An unclaimed owner has no username and cannot log in.
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  username      text,
  display_name  text,
  role          text NOT NULL DEFAULT 'user' CHECK (role IN ('admin', 'user')),
  -- Argon2id in PHC string form (lib/users/passwords.ts); NULL only for the unclaimed owner.
  password_hash text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_seen_at  timestamptz,
  CHECK ((username IS NULL) = (password_hash IS NULL))
);
-- Case-insensitive: "Ana" and "ana" are one user.
CREATE UNIQUE INDEX users_username_idx ON users (lower(username)) WHERE username IS NOT NULL;

INSERT INTO users (id, role) VALUES ('00000000-0000-4000-8000-000000000000', 'admin');

-- A key is shown once when made; only its SHA-256 is kept. `role` narrows what the key may do:
-- 'user' acts as its user with that user's role, 'worker' may only write analysis results
-- (for analysis workers, which must not hold a person's key).
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  name         text NOT NULL,
  role         text NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'worker')),
  key_hash     bytea NOT NULL UNIQUE,
  created_at   timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at);
