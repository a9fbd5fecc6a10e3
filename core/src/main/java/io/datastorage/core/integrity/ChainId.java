package io.datastorage.core.integrity;

import java.time.YearMonth;
import java.util.Objects;

/**
 * One hash chain: the records of a kind created in a UTC month.
 *
 * @param kind the kind's path name
 */
public record ChainId(String kind, YearMonth month) implements Comparable<ChainId> {
    public ChainId {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(month, "month");
    }

    @Override
    public int compareTo(ChainId other) {
        int byKind = kind.compareTo(other.kind);
        return byKind != 0 ? byKind : month.compareTo(other.month);
    }
}
