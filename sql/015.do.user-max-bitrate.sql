-- An admin's cap on what one user streams (issue 14): every stream of theirs is transcoded to at
-- most this many kbps, whatever format or bitrate their player asks for (Caller.maxBitrate).
-- Kbps, as every bitrate the API shows. 32 to 320 is the range of the lossy targets the
-- transcoder makes (opus, mp3, aac): below it nothing is worth listening to, above it mp3 has
-- no rate, so a value outside could never be honoured as written. NULL: no cap.
ALTER TABLE users ADD COLUMN max_bitrate integer CHECK (max_bitrate BETWEEN 32 AND 320);
