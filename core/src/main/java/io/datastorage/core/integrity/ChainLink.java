package io.datastorage.core.integrity;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A position in a chain and the hash of the link there: a chain's head, a checkpoint. Seq 0 with
 * {@link ChainHasher#GENESIS} is the empty chain.
 */
public record ChainLink(ChainId chain, long seq, byte[] hash) {
    public ChainLink {
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(hash, "hash");
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
        hash = hash.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    /** Whether {@code other} is this link's hash. */
    public boolean hashIs(byte[] other) {
        return Arrays.equals(hash, other);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainLink l && chain.equals(l.chain) && seq == l.seq && Arrays.equals(hash, l.hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(chain, seq, Arrays.hashCode(hash));
    }

    @Override
    public String toString() {
        return "ChainLink[" + chain + " #" + seq + " " + HexFormat.of().formatHex(hash) + "]";
    }
}
