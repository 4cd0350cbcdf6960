-- Analysis dispatch (lib/analysis): tracks that have no analysis yet are found by a backfill a
-- page at a time, and counted in the admin status; the newest result tells whether a consumer
-- has been at work lately. A scan counts the tracks it did not publish because the queue was full.
CREATE INDEX tracks_without_analysis ON tracks (id) WHERE analysis IS NULL;
CREATE INDEX tracks_analysis_updated_at ON tracks (analysis_updated_at) WHERE analysis_updated_at IS NOT NULL;
ALTER TABLE scans ADD COLUMN analysis_skipped integer NOT NULL DEFAULT 0;
