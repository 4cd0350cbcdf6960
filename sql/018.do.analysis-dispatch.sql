-- Analysis dispatch (lib/analysis). A track whose file is new or changed while analysis is on is
-- due for analysis, in the same transaction as the change, until a job for it is published: a
-- publish that fails, or that the full queue refuses, leaves it due for the index job's retry or
-- the next backfill. Tracks without analysis or due are found by a backfill a page at a time;
-- the newest result tells whether a consumer has been at work lately. A scan counts the tracks
-- it did not publish because the queue was full.
ALTER TABLE tracks ADD COLUMN analysis_due boolean NOT NULL DEFAULT false;
CREATE INDEX tracks_due_for_analysis ON tracks (id) WHERE analysis IS NULL OR analysis_due;
CREATE INDEX tracks_analysis_updated_at ON tracks (analysis_updated_at) WHERE analysis_updated_at IS NOT NULL;
ALTER TABLE scans ADD COLUMN analysis_skipped integer NOT NULL DEFAULT 0;
