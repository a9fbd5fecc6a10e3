package io.datastorage.core.integrity;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record as its chain holds it: its content, its position and the stored hash of its link.
 *
 * @param divergentColumn the first column the service derives from the document (for filters, legal
 *                        holds and retention: correlationId, name, namespace, phase, severity,
 *                        labels) whose stored value is not what the document says, or {@code null}
 *                        when every one matches. The link covers the document, not these copies of
 *                        it, so a changed copy is found by comparing them.
 */
public record SealedRecord(ChainRecord record, long seq, byte[] hash, String divergentColumn) {
    public SealedRecord {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(hash, "hash");
    }

    /** A record whose derived columns match its document. */
    public SealedRecord(ChainRecord record, long seq, byte[] hash) {
        this(record, seq, hash, null);
    }

    /** Whether {@code other} is the stored hash. */
    public boolean hashIs(byte[] other) {
        return Arrays.equals(hash, other);
    }
}
