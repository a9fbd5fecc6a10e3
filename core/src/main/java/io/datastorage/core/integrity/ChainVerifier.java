package io.datastorage.core.integrity;

import io.datastorage.core.integrity.BrokenLink.Reason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Verifies the hash chains: per chain, from its checkpoint (the checkpoint's own link recomputed
 * first, so a record changed at the checkpoint is found) or, {@code full}, from its start, it
 * recomputes every link up to the head read at the start of the run, page by page, and reports the
 * first link that does not hold ({@link BrokenLink.Reason}); records sealed while it runs wait for
 * the next run. A chain found whole advances its checkpoint to its head; a broken chain keeps its
 * checkpoint, marked broken ({@link IntegrityStore#markBroken}), and every later run walks it from
 * its start until it holds again, so the break is reported again even when it lies behind the
 * checkpoint, where only a walk from the start finds it (before, the incremental run after a full
 * one that found such a break reported the chain whole). Every run, full or not, holds
 * each chain to its checkpoint: a chain with no head any more (retention removes both together) or
 * a head behind the checkpoint is {@code head-mismatch}, and a full run also rechecks the record at
 * the checkpoint against the link verified there, so a full run never moves a checkpoint back. Records left unsealed for longer
 * than the sealing delay and a margin are reported as {@code unsealed-too-long} for their chain.
 *
 * <p>Framework-free: the store is an {@link IntegrityStore}, progress goes to a {@link Listener}.
 * Not thread-safe per run; one verification runs at a time (the caller sees to it).
 */
public final class ChainVerifier {
    private static final Logger log = LoggerFactory.getLogger(ChainVerifier.class);
    /** How many positions around a broken link are tried as its true position (out-of-order). */
    private static final int REORDER_WINDOW = 8;

    /** What a verification reports as it goes. */
    public interface Listener {
        Listener NONE = new Listener() {
        };

        /** The run began: {@code total} links to recompute. */
        default void started(long total) {
        }

        /** {@code records} more links were recomputed and hold. */
        default void verified(long records) {
        }
    }

    private final IntegrityStore store;
    private final ChainHasher hasher;
    private final Clock clock;
    private final Duration unsealedLimit;
    private final int pageSize;

    /**
     * @param unsealedLimit how long a record may stay unsealed before it is reported (the sealing
     *                      delay and a margin)
     * @param pageSize      how many records one read holds
     */
    public ChainVerifier(IntegrityStore store, ChainHasher hasher, Clock clock, Duration unsealedLimit, int pageSize) {
        this.store = Objects.requireNonNull(store, "store");
        this.hasher = Objects.requireNonNull(hasher, "hasher");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.unsealedLimit = Objects.requireNonNull(unsealedLimit, "unsealedLimit");
        if (pageSize < 1) {
            throw new IllegalArgumentException("pageSize must be >= 1, was " + pageSize);
        }
        this.pageSize = pageSize;
    }

    /** Verifies every chain, from its checkpoint or ({@code full}) from its start. */
    public IntegrityReport verify(boolean full, Listener listener) {
        Instant startedAt = clock.instant();
        Map<ChainId, ChainLink> heads = new TreeMap<>();
        for (ChainLink head : store.heads()) {
            heads.put(head.chain(), head);
        }
        Map<ChainId, ChainLink> verifiedBefore = store.checkpoints();
        Map<ChainId, ChainLink> checkpoints = new TreeMap<>(full ? Map.of() : verifiedBefore);
        checkpoints.keySet().removeAll(store.markedBroken()); // walked from the start until they hold
        Map<ChainId, IntegrityStore.UnsealedRecords> unsealed = store.unsealed(startedAt.minus(unsealedLimit));
        long total = 0;
        for (ChainLink head : heads.values()) {
            ChainLink from = checkpoints.get(head.chain());
            total += Math.max(0, head.seq() - (from == null || from.seq() > head.seq() ? 0 : from.seq()));
        }
        listener.started(total);
        Set<ChainId> chains = new TreeSet<>(heads.keySet());
        chains.addAll(unsealed.keySet());
        chains.addAll(verifiedBefore.keySet());
        List<BrokenLink> broken = new ArrayList<>();
        long records = 0;
        for (ChainId chain : chains) {
            ChainLink head = heads.get(chain);
            ChainLink verified = verifiedBefore.get(chain);
            Walk walk;
            if (head == null) { // retention deletes a month's checkpoint with its head
                walk = new Walk(verified == null ? null : new BrokenLink(chain, verified.seq(), null,
                        Reason.HEAD_MISMATCH, "the chain's head is gone, though it was verified up to seq "
                        + verified.seq() + "; retention would have removed its checkpoint too"), 0);
            } else if (verified != null && verified.seq() > head.seq()) { // a head never moves back
                walk = new Walk(new BrokenLink(chain, head.seq(), null, Reason.HEAD_MISMATCH, "the chain's head is at seq "
                        + head.seq() + ", behind the seq " + verified.seq() + " verified before"), 0);
            } else {
                walk = walk(head, checkpoints.get(chain), listener);
                if (walk.broken() == null && !checkpoints.containsKey(chain) && verified != null && verified.seq() > 0) {
                    // a chain rebuilt consistently (possible without an HMAC key) still differs from what was verified
                    walk = new Walk(recheck(verified), walk.verified());
                }
            }
            records += walk.verified();
            BrokenLink first = walk.broken();
            if (first == null && unsealed.containsKey(chain)) {
                IntegrityStore.UnsealedRecords waiting = unsealed.get(chain);
                first = new BrokenLink(chain, null, waiting.oldest(), Reason.UNSEALED_TOO_LONG, waiting.count()
                        + " record(s) unsealed for longer than " + unsealedLimit + ", the oldest received at "
                        + waiting.oldestReceivedAt() + ": is the integrity-seal job running?");
            }
            if (first != null) {
                broken.add(first);
                if (walk.broken() != null && verified != null) {
                    store.markBroken(chain, clock.instant());
                }
                log.warn("Integrity: chain {} {} is broken at seq {} (record {}): {}: {}", chain.kind(), chain.month(),
                        first.seq(), first.recordId(), first.reason().wireName(), first.detail());
            } else if (head != null && head.seq() > 0) {
                ChainLink checkpoint = checkpoints.get(chain);
                if (full || checkpoint == null || !checkpoint.equals(head)) {
                    store.checkpoint(head, clock.instant());
                }
            }
        }
        return new IntegrityReport(broken.isEmpty(), chains.size(), records, broken, startedAt, clock.instant(), full);
    }

    private record Walk(BrokenLink broken, long verified) {
    }

    private Walk walk(ChainLink head, ChainLink checkpoint, Listener listener) {
        ChainId chain = head.chain();
        long seq = 0;
        byte[] hash = ChainHasher.GENESIS;
        if (checkpoint != null && checkpoint.seq() > 0) {
            BrokenLink atCheckpoint = recheck(checkpoint);
            if (atCheckpoint != null) {
                return new Walk(atCheckpoint, 0);
            }
            seq = checkpoint.seq();
            hash = checkpoint.hash();
        }
        long verified = 0;
        while (seq < head.seq()) {
            List<SealedRecord> page = store.sealed(chain, seq, head.seq(), pageSize);
            if (page.isEmpty()) {
                break;
            }
            long pageVerified = 0;
            for (int i = 0; i < page.size(); i++) {
                SealedRecord row = page.get(i);
                long expected = seq + 1;
                if (row.seq() > expected) {
                    listener.verified(pageVerified);
                    return new Walk(new BrokenLink(chain, expected, null, Reason.MISSING_LINK, "no record at seq "
                            + expected + "; the next one is record " + row.record().id() + " at seq " + row.seq()),
                            verified + pageVerified);
                }
                if (row.seq() < expected) { // a position held twice
                    listener.verified(pageVerified);
                    return new Walk(new BrokenLink(chain, row.seq(), row.record().id(), Reason.OUT_OF_ORDER,
                            "seq " + row.seq() + " is held by more than one record"), verified + pageVerified);
                }
                byte[] computed = hasher.link(hash, row.seq(), row.record());
                if (!row.hashIs(computed)) {
                    listener.verified(pageVerified);
                    return new Walk(mismatch(chain, row, seq, hash), verified + pageVerified);
                }
                if (row.divergentColumn() != null) {
                    listener.verified(pageVerified);
                    return new Walk(divergent(chain, row), verified + pageVerified);
                }
                seq = row.seq();
                hash = row.hash().clone();
                pageVerified++;
            }
            verified += pageVerified;
            listener.verified(pageVerified);
        }
        if (seq != head.seq() || !head.hashIs(hash)) {
            return new Walk(new BrokenLink(chain, head.seq(), null, Reason.HEAD_MISMATCH, seq < head.seq()
                    ? "the chain's head is at seq " + head.seq() + " but its records end at seq " + seq
                    : "the chain's head hash is not the hash of its last record (seq " + seq + ")"), verified);
        }
        return new Walk(null, verified);
    }

    /** The checkpoint's own link recomputed from its record and the stored previous link, or what breaks it. */
    private BrokenLink recheck(ChainLink checkpoint) {
        ChainId chain = checkpoint.chain();
        long seq = checkpoint.seq();
        Optional<SealedRecord> at = store.sealedAt(chain, seq);
        if (at.isEmpty()) {
            return new BrokenLink(chain, seq, null, Reason.MISSING_LINK, "the checkpoint's record at seq " + seq
                    + " is gone");
        }
        byte[] previous = ChainHasher.GENESIS;
        if (seq > 1) {
            Optional<SealedRecord> before = store.sealedAt(chain, seq - 1);
            if (before.isEmpty()) {
                return new BrokenLink(chain, seq - 1, null, Reason.MISSING_LINK, "no record at seq " + (seq - 1));
            }
            previous = before.get().hash();
        }
        SealedRecord row = at.get();
        if (!row.hashIs(checkpoint.hash()) || !row.hashIs(hasher.link(previous, seq, row.record()))) {
            return new BrokenLink(chain, seq, row.record().id(), Reason.CONTENT_CHANGED,
                    "the record at the checkpoint (seq " + seq + ") no longer has the link verified there");
        }
        return row.divergentColumn() == null ? null : divergent(chain, row);
    }

    /**
     * A record whose link holds but whose column {@code divergentColumn} was changed: the column is
     * a copy of a document member, which filters, legal holds and retention go by.
     */
    private static BrokenLink divergent(ChainId chain, SealedRecord row) {
        return new BrokenLink(chain, row.seq(), row.record().id(), Reason.CONTENT_CHANGED, "the column "
                + row.divergentColumn() + " of record " + row.record().id() + " at seq " + row.seq()
                + " is not what its document (which its link covers) says");
    }

    /**
     * Why {@code row}'s link does not hold after {@code (seq, hash)}: out of order when its stored
     * hash is its link at another position nearby (after another stored link within
     * {@link #REORDER_WINDOW} positions, or the genesis), else its content changed.
     */
    private BrokenLink mismatch(ChainId chain, SealedRecord row, long seq, byte[] hash) {
        List<byte[]> previous = new ArrayList<>();
        previous.add(hash);
        previous.add(ChainHasher.GENESIS);
        Set<Long> positions = new LinkedHashSet<>();
        positions.add(row.seq());
        for (SealedRecord near : store.sealed(chain, Math.max(0, row.seq() - REORDER_WINDOW - 1),
                row.seq() + REORDER_WINDOW, 2 * REORDER_WINDOW + 1)) {
            if (!near.record().id().equals(row.record().id())) {
                previous.add(near.hash());
            }
            positions.add(near.seq());
            positions.add(near.seq() + 1);
        }
        positions.add(1L);
        String json = row.record().canonicalJson();
        for (byte[] before : previous) {
            for (long position : positions) {
                if ((position != row.seq() || before != hash) && row.hashIs(hasher.link(before, position, json))) {
                    return new BrokenLink(chain, row.seq(), row.record().id(), Reason.OUT_OF_ORDER, "record "
                            + row.record().id() + " is sealed at seq " + position + " but stored at seq " + row.seq());
                }
            }
        }
        return new BrokenLink(chain, row.seq(), row.record().id(), Reason.CONTENT_CHANGED, "the link of record "
                + row.record().id() + " at seq " + row.seq() + " recomputed from its content is not its stored hash");
    }
}
