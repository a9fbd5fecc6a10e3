package io.datastorage.core.index;

import java.time.Instant;
import java.util.Optional;

/**
 * What an index that keeps its entries across restarts says about the writes it may have lost in
 * a crash: an optional capability of a {@link VectorIndex} ({@link VectorIndex#crashRecovery()}).
 * An index without it keeps nothing across restarts, or loses nothing it has acknowledged.
 */
public interface CrashRecovery {

    /**
     * Every upsert and delete that returned before this instant survives a crash; empty when the
     * index has made nothing durable yet. Moves forward as the index makes writes durable.
     */
    Optional<Instant> durableAsOf();

    /**
     * {@link #durableAsOf()} as it was when this index was opened: what survived the last stop or
     * crash. After a restart, records written since (less a margin for writes in flight) are
     * replayed into the index; reading the live value instead would miss records whenever the
     * index commits new writes before the replay begins.
     */
    Optional<Instant> recoveredAsOf();
}
