-- Whether a phase change skipped the promotion gates (io.datastorage.core.migration.PromotionGates):
-- "force": true with a reason. Every change stored before this column was made through the API
-- without gates, and is recorded as not forced.
ALTER TABLE migration_phase_history ADD COLUMN forced boolean NOT NULL DEFAULT false;
