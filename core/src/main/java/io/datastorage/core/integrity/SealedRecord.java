package io.datastorage.core.integrity;

import java.util.Arrays;
import java.util.Objects;

/** A record as its chain holds it: its content, its position and the stored hash of its link. */
public record SealedRecord(ChainRecord record, long seq, byte[] hash) {
    public SealedRecord {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(hash, "hash");
    }

    /** Whether {@code other} is the stored hash. */
    public boolean hashIs(byte[] other) {
        return Arrays.equals(hash, other);
    }
}
