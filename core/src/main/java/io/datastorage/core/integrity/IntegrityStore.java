package io.datastorage.core.integrity;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The stored chains as a verification reads them, and its checkpoints. Failures of the store are
 * {@link io.datastorage.core.error.TransientException}s.
 */
public interface IntegrityStore {

    /** Every chain's head (seq 0: a chain begun but holding no link yet). */
    List<ChainLink> heads();

    /** The checkpoint of each chain verified before. */
    Map<ChainId, ChainLink> checkpoints();

    /**
     * At most {@code limit} sealed records of {@code chain} with {@code afterSeq < seq <= upToSeq},
     * by seq (memory stays bounded by the page).
     */
    List<SealedRecord> sealed(ChainId chain, long afterSeq, long upToSeq, int limit);

    /** The sealed record of {@code chain} at {@code seq}, if there is one. */
    Optional<SealedRecord> sealedAt(ChainId chain, long seq);

    /**
     * The chains holding records received before {@code receivedBefore} that are not sealed yet:
     * the oldest such record of each.
     */
    Map<ChainId, UnsealedRecords> unsealed(Instant receivedBefore);

    /** Records {@code verified} as the chain's checkpoint, verified at {@code at}; clears a mark of {@link #markBroken}. */
    void checkpoint(ChainLink verified, Instant at);

    /**
     * Marks the checkpoint of {@code chain} as that of a chain found broken (at {@code at}): a
     * break behind the checkpoint, which only a walk from the start finds, is then not forgotten
     * by the next incremental run. Does nothing for a chain without a checkpoint.
     */
    void markBroken(ChainId chain, Instant at);

    /** The chains whose checkpoint is {@linkplain #markBroken marked broken}. */
    Set<ChainId> markedBroken();

    /** How many records are not sealed yet, whatever their age. */
    long unsealedCount();

    /**
     * Records of a chain waiting for their link.
     *
     * @param oldest the id of the one received first
     */
    record UnsealedRecords(java.util.UUID oldest, Instant oldestReceivedAt, long count) {
    }
}
