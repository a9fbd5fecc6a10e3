-- The phase of a migration from a legacy store (see io.datastorage.core.migration.MigrationPhase):
-- one row holding the current phase and its version (1 when first stored, one more per change),
-- and one history row per version. A change is one transaction: UPDATE ... WHERE version = the
-- expected one, then the history row; of changes racing from one version exactly one updates the
-- row, and the history's primary key keeps versions unique.
CREATE TABLE migration_phase (
    id         smallint    PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    phase      text        NOT NULL CHECK (phase IN ('LEGACY_ONLY', 'DUAL_WRITE_LEGACY_PRIMARY',
                                                     'DUAL_WRITE_NEW_PRIMARY', 'NEW_ONLY')),
    version    bigint      NOT NULL CHECK (version >= 1),
    changed_at timestamptz NOT NULL
);

-- from_phase is NULL only for version 1, which records how the phase was first stored.
CREATE TABLE migration_phase_history (
    version    bigint      PRIMARY KEY CHECK (version >= 1),
    from_phase text        CHECK (from_phase IN ('LEGACY_ONLY', 'DUAL_WRITE_LEGACY_PRIMARY',
                                                 'DUAL_WRITE_NEW_PRIMARY', 'NEW_ONLY')),
    to_phase   text        NOT NULL CHECK (to_phase IN ('LEGACY_ONLY', 'DUAL_WRITE_LEGACY_PRIMARY',
                                                        'DUAL_WRITE_NEW_PRIMARY', 'NEW_ONLY')),
    changed_at timestamptz NOT NULL,
    changed_by text        NOT NULL,
    reason     text        NOT NULL,
    CHECK ((from_phase IS NULL) = (version = 1))
);
