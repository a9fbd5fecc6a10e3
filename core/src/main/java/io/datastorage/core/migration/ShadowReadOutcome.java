package io.datastorage.core.migration;

import java.util.Locale;

/** What a shadow read found on the secondary ({@link MigrationListener#shadowRead}). */
public enum ShadowReadOutcome {
    /** The secondary holds the record with the same content. */
    MATCH,
    /** The secondary does not hold the record, and no write of it to the secondary is queued. */
    MISSING,
    /**
     * The secondary does not hold the record yet, and its write there is queued (async mode, or a
     * secondary that failed under policy {@code queue}): a race, not a disagreement.
     */
    PENDING,
    /** The secondary holds the record with other content (document, kind or legacy id). */
    DIFFERS,
    /** The secondary could not be read. */
    ERROR;

    /** The metric label: the name in lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
