-- The published version of an indicator's data a submission was checked against (0: none
-- yet, only imported data or nothing); NULL for submissions made before this migration.
-- A submission is published only over that same version (sdg_collection.rs).
ALTER TABLE sdg_submissions ADD COLUMN base_version INTEGER;
