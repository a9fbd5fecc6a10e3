package io.datastorage.core.migration;

import java.util.Locale;

/** What became of a routed write on one store ({@link MigrationListener#written}). */
public enum WriteOutcome {
    /** Written. */
    OK,
    /** Left to the queue job: async mode, or a failed secondary write under policy {@code queue}. */
    QUEUED,
    /** The write to this store failed. */
    FAILED,
    /** Written, then undone: the secondary failed under policy {@code fail}. */
    UNDONE;

    /** The metric label: the name in lower case. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }
}
