-- The last finished backfill per direction and the last finished sync validation of a migration
-- (io.datastorage.core.migration.MigrationRuns), read by every replica's promotion gates. Each
-- finished run replaces the row before it.
CREATE TABLE migration_backfill_runs (
    direction     text        PRIMARY KEY CHECK (direction IN ('legacy-to-new', 'new-to-legacy')),
    phase_version bigint      NOT NULL CHECK (phase_version >= 1),
    started_at    timestamptz NOT NULL,
    finished_at   timestamptz NOT NULL CHECK (finished_at >= started_at),
    complete      boolean     NOT NULL,
    scanned       bigint      NOT NULL,
    copied        bigint      NOT NULL CHECK (copied >= 0),
    skipped       bigint      NOT NULL CHECK (skipped >= 0),
    error         text,
    CHECK (scanned >= copied + skipped),
    CHECK (complete = (error IS NULL))
);

CREATE TABLE migration_validation_runs (
    id                    smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    phase_version         bigint      NOT NULL CHECK (phase_version >= 1),
    repair                boolean     NOT NULL,
    started_at            timestamptz NOT NULL,
    finished_at           timestamptz NOT NULL CHECK (finished_at >= started_at),
    checked               bigint      NOT NULL,
    missing_in_new        bigint      NOT NULL,
    missing_in_legacy     bigint      NOT NULL,
    differing             bigint      NOT NULL,
    repaired              bigint      NOT NULL,
    consistent            boolean     NOT NULL,
    duration_millis       bigint      NOT NULL,
    missing_in_new_ids    uuid[]      NOT NULL,
    missing_in_legacy_ids uuid[]      NOT NULL,
    differing_ids         uuid[]      NOT NULL
);
