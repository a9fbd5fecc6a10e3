-- Where an unfinished backfill of a migration stands, one row per direction
-- (io.datastorage.core.migration.BackfillCheckpoints): saved after each page, deleted when the run
-- ends; a row left by a run that stopped (a crash, a lost lease) is where the next run resumes.
CREATE TABLE migration_backfill_checkpoints (
    direction        text        PRIMARY KEY CHECK (direction IN ('legacy-to-new', 'new-to-legacy')),
    phase_version    bigint      NOT NULL CHECK (phase_version >= 1),
    started_at       timestamptz NOT NULL,
    kind             text        NOT NULL,
    after_created_at timestamptz,
    after_key        text,
    scanned          bigint      NOT NULL,
    copied           bigint      NOT NULL CHECK (copied >= 0),
    skipped          bigint      NOT NULL CHECK (skipped >= 0),
    total            bigint      NOT NULL CHECK (total >= 0),
    saved_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (scanned >= copied + skipped),
    CHECK ((after_created_at IS NULL) = (after_key IS NULL))
);
