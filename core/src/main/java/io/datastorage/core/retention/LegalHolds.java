package io.datastorage.core.retention;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The stored legal holds, shared by every replica. Holds are never deleted: a release stamps who
 * released it and when, and the row stays for the record.
 */
public interface LegalHolds {

    /**
     * Stores a new hold.
     *
     * @param hold      checked by the caller ({@link NewLegalHold#errors})
     * @param createdBy the subject of the request that asked for it
     */
    LegalHold create(NewLegalHold hold, String createdBy, Instant now);

    /** The hold with {@code id}, active or not. */
    Optional<LegalHold> find(UUID id);

    /**
     * Releases the hold with {@code id}. Releasing a hold that is released already changes
     * nothing (the first release is kept).
     *
     * @return the hold after the release; empty when no hold has that id
     */
    Optional<LegalHold> release(UUID id, String releasedBy, Instant now);

    /** The holds active at {@code now}, or every hold when {@code all}; oldest first. */
    List<LegalHold> list(boolean all, Instant now);
}
