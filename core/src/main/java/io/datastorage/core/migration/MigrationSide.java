package io.datastorage.core.migration;

/** The two systems of record of a migration. */
public enum MigrationSide {
    /** The store being migrated away from (a directory of JSON documents, a legacy table). */
    LEGACY,
    /** datastorage's own PostgreSQL store. */
    NEW
}
