-- The id a legacy store knows a record by, when a migration wrote it under an id that is not the
-- record's own (io.datastorage.core.store.NewRecord#legacyId); NULL otherwise. Adding a nullable
-- column without a default rewrites no row.
ALTER TABLE audit_records ADD COLUMN legacy_id text;
ALTER TABLE audit_records ADD CONSTRAINT audit_records_legacy_id_check CHECK (legacy_id <> '');
