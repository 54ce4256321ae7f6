-- Each facility's web address part (its slug), unique: filled from the names and indexed by
-- SLUGS_MIGRATION's step (a second facility with the slug of an earlier one gets -<id>).
SELECT 1;
