-- Records a side of a migration holds but cannot read (a damaged legacy file or row): a backfill
-- counts them instead of passing over them in silence (io.datastorage.core.migration.BackfillResult
-- and BackfillCheckpoint .unreadable), a sync validation reports them as a category of differences
-- (SyncReport .unreadable, with example ids or keys: a legacy key need not be a UUID). Every run kept
-- before this version met none it could tell, and reads as 0.
ALTER TABLE migration_backfill_runs ADD COLUMN unreadable bigint NOT NULL DEFAULT 0 CHECK (unreadable >= 0);
ALTER TABLE migration_backfill_checkpoints ADD COLUMN unreadable bigint NOT NULL DEFAULT 0 CHECK (unreadable >= 0);
ALTER TABLE migration_validation_runs ADD COLUMN unreadable bigint NOT NULL DEFAULT 0 CHECK (unreadable >= 0),
    ADD COLUMN unreadable_keys text[] NOT NULL DEFAULT '{}';
