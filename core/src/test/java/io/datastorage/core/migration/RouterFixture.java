package io.datastorage.core.migration;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.store.AuditPage;
import io.datastorage.core.store.AuditQuery;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.BeforeCommit;
import io.datastorage.core.store.IdempotencyToken;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.MigrationTerms;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import io.datastorage.core.store.StoreUnavailableException;
import io.datastorage.core.store.WriteResult;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router over in-memory doubles of everything it writes to: the new side (an
 * {@link InMemoryAuditStore} fenced to an {@link InMemoryPhaseStore}, with a vector index), the
 * legacy side ({@link InMemoryLegacyStore}, which can be switched down), the
 * {@link InMemoryPhaseFence} and the {@link InMemorySecondaryWriteQueue}; the phase is read through a
 * {@link PhaseWatcher} on a {@link ManualScheduler}. {@link #checkInvariants} checks every invariant
 * of the two stores and the queue at once.
 */
final class RouterFixture {
    static final Instant T0 = Instant.parse("2026-11-20T12:00:00Z");
    static final int DIMENSION = 4;
    /** The phases in their line, walked one step at a time. */
    static final List<MigrationPhase> LINE = List.of(MigrationPhase.LEGACY_ONLY, MigrationPhase.DUAL_WRITE_LEGACY_PRIMARY,
            MigrationPhase.DUAL_WRITE_NEW_PRIMARY, MigrationPhase.NEW_ONLY);
    static final SecondaryWriteJob.Settings JOB = new SecondaryWriteJob.Settings(100, Duration.ofMinutes(1),
            Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMinutes(10));

    final ManualClock clock = new ManualClock(T0);
    final AuditValidator validator = new AuditValidator(ValidationPolicy.DEFAULT, clock);
    final InMemoryPhaseStore phaseStore = new InMemoryPhaseStore(clock);
    final InMemorySecondaryWriteQueue queue = new InMemorySecondaryWriteQueue(clock);
    final InMemoryAuditStore newStore = new InMemoryAuditStore(clock).migrating(phaseStore, queue);
    final InMemoryLegacyStore legacy = new InMemoryLegacyStore();
    final InMemoryVectorIndex index = new InMemoryVectorIndex(DIMENSION, clock);
    final PhaseWatcher watcher;
    /** The new side as the coordinator sees it: its undo can be made to fail. */
    final FlakyUndo coordinatorStore = new FlakyUndo(newStore);
    final DualWriteCoordinator coordinator = new DualWriteCoordinator(coordinatorStore,
            GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofSeconds(30)), DualWriteCoordinator.Mode.FALLBACK,
            DualWriteListener.NONE);
    final Map<String, AtomicInteger> written = new ConcurrentHashMap<>();
    final Map<ShadowReadOutcome, AtomicInteger> shadowReads = new ConcurrentHashMap<>();
    final MigrationListener listener = new MigrationListener() {
        @Override
        public void written(MigrationSide store, WriteOutcome outcome) {
            written.computeIfAbsent(store + "/" + outcome.value(), k -> new AtomicInteger()).incrementAndGet();
        }

        @Override
        public void shadowRead(ShadowReadOutcome outcome) {
            shadowReads.computeIfAbsent(outcome, k -> new AtomicInteger()).incrementAndGet();
        }
    };
    private final AtomicInteger names = new AtomicInteger();

    RouterFixture(MigrationPhase phase) {
        phaseStore.initialiseIfAbsent(MigrationPhase.LEGACY_ONLY, "test", "initial");
        watcher = new PhaseWatcher(phaseStore, new ManualScheduler(clock), Duration.ofSeconds(1), clock);
        watcher.start();
        moveTo(phase);
    }

    MigrationRouter router(MigrationSettings settings) {
        return router(settings, new InMemoryPhaseFence(phaseStore, queue));
    }

    MigrationRouter router(MigrationSettings settings, PhaseFence fence) {
        return new MigrationRouter(watcher, coordinator, newStore, legacy, fence, queue, settings, listener);
    }

    MigrationReads reads(double ratio, Executor executor) {
        return new MigrationReads(watcher, newStore, legacy,
                new MigrationSettings(SecondaryPolicy.QUEUE, SecondaryMode.SYNC, ratio, Duration.ofSeconds(5)), listener,
                executor, () -> false, () -> true, queue::holds);
    }

    static MigrationSettings settings(SecondaryPolicy policy, SecondaryMode mode) {
        return new MigrationSettings(policy, mode, 0, Duration.ofSeconds(5));
    }

    /** Walks the phase one step at a time to {@code target}, and lets the watcher see it. */
    void moveTo(MigrationPhase target) {
        while (watcher.refresh().phase() != target) {
            PhaseState now = phaseStore.current().orElseThrow();
            int step = Integer.signum(LINE.indexOf(target) - LINE.indexOf(now.phase()));
            phaseStore.change(now.version(), LINE.get(LINE.indexOf(now.phase()) + step), "test", "moving");
        }
    }

    /** {@code count} new remediations, each with an embedding. */
    List<NewRecord> records(int count) {
        List<NewRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = names.incrementAndGet();
            records.add(new NewRecord(validator.validate(AuditKind.REMEDIATION,
                    AuditFixtures.remediation("rr-" + n, "2026-11-20T11:00:0" + (n % 10) + "Z")),
                    new float[] {1, n, 0, 0}));
        }
        return records;
    }

    static IdempotencyToken token(String key, List<NewRecord> records) {
        return new IdempotencyToken(key, "fp-" + records.stream().map(r -> r.draft().name()).toList());
    }

    /** Makes the side fail every call (the new side: at the start of its transaction). */
    void down(MigrationSide side, boolean down) {
        if (side == MigrationSide.LEGACY) {
            legacy.down(down);
        } else {
            newStore.fault(down ? InMemoryAuditStore.Fault.BEGIN : InMemoryAuditStore.Fault.NONE);
        }
    }

    Set<UUID> onLegacy() {
        Set<UUID> ids = new HashSet<>();
        for (AuditKind kind : AuditKind.values()) {
            Optional<LegacyPosition> after = Optional.empty();
            do {
                LegacyPage page = legacy.scan(kind, after, 10_000);
                page.records().forEach(r -> ids.add(r.id()));
                after = page.next();
            } while (after.isPresent());
        }
        return ids;
    }

    Set<UUID> onNew() {
        return newStore.ids();
    }

    Set<UUID> on(MigrationSide side) {
        return side == MigrationSide.LEGACY ? onLegacy() : onNew();
    }

    /**
     * The queued writes, by target; every entry must be due once the router's own secondary calls
     * had their time (sync mode queues them due after that; here at most 3 records of 5 s each), so
     * this lets a minute pass, claims them, and lets the claim pass.
     */
    Map<MigrationSide, Set<UUID>> queued() {
        Map<MigrationSide, Set<UUID>> queued = new EnumMap<>(MigrationSide.class);
        for (MigrationSide side : MigrationSide.values()) {
            queued.put(side, new HashSet<>());
        }
        long depth = queue.backlog().depth();
        clock.advance(Duration.ofMinutes(1));
        List<SecondaryWriteEntry> entries = queue.claim(SecondaryWriteQueue.MAX_CLAIM, Duration.ofMillis(1));
        assertThat(entries).as("every queued entry is due within a minute").hasSize((int) depth);
        entries.forEach(e -> queued.get(e.write().target()).add(e.write().recordId()));
        clock.advance(Duration.ofMillis(2));
        return queued;
    }

    /**
     * Every invariant of the stores and the queue, after writes whose acknowledged records are
     * {@code acknowledged} (by the phase they ran under) and whose failed ones stored nothing:
     * every acknowledged record is on its primary; under a dual phase it is on the secondary too or
     * queued for it; no record is anywhere (either side, the queue) that no answer acknowledged; no
     * record is on a side whose phase did not write it; every vector in the index has its record.
     */
    void checkInvariants(Map<UUID, MigrationPhase> acknowledged) {
        Set<UUID> legacyIds = onLegacy();
        Set<UUID> newIds = onNew();
        Map<MigrationSide, Set<UUID>> queued = queued();
        acknowledged.forEach((id, phase) -> {
            assertThat(on(phase.primary())).as("acknowledged %s is on the primary of %s", id, phase).contains(id);
            phase.secondary().ifPresentOrElse(
                    secondary -> assertThat(on(secondary).contains(id) || queued.get(secondary).contains(id))
                            .as("acknowledged %s under %s is on the secondary or queued for it", id, phase).isTrue(),
                    () -> assertThat(on(phase.primary() == MigrationSide.NEW ? MigrationSide.LEGACY : MigrationSide.NEW))
                            .as("%s, written under %s, is on its one side only", id, phase).doesNotContain(id));
        });
        Set<UUID> everywhere = new HashSet<>(legacyIds);
        everywhere.addAll(newIds);
        queued.values().forEach(everywhere::addAll);
        assertThat(acknowledged.keySet()).as("nothing is stored or queued that no answer acknowledged")
                .containsAll(everywhere);
        Set<UUID> vectors = new HashSet<>(index.ids(null, 100_000));
        assertThat(newIds).as("no vector outlives its record").containsAll(vectors);
    }

    /** The queue job with the new side as {@link NewSideRecords} sees it. */
    SecondaryWriteJob job() {
        return new SecondaryWriteJob(queue,
                Map.of(MigrationSide.NEW, NewSideRecords.source(newStore), MigrationSide.LEGACY, RecordSource.of(legacy)),
                Map.of(MigrationSide.NEW, NewSideRecords.sink(newStore, validator), MigrationSide.LEGACY,
                        RecordSink.of(legacy)),
                JOB);
    }

    /** Runs the job, letting the longest backoff pass before each run, until the queue is empty. */
    void drainQueue() {
        SecondaryWriteJob job = job();
        for (int run = 0; run < 50 && queue.backlog().depth() > 0; run++) {
            clock.advance(JOB.maxBackoff().multipliedBy(2));
            job.runOnce();
        }
        assertThat(queue.backlog()).isEqualTo(SecondaryWriteQueue.Backlog.EMPTY);
    }

    int written(MigrationSide side, WriteOutcome outcome) {
        AtomicInteger count = written.get(side + "/" + outcome.value());
        return count == null ? 0 : count.get();
    }

    int shadowReads(ShadowReadOutcome outcome) {
        AtomicInteger count = shadowReads.get(outcome);
        return count == null ? 0 : count.get();
    }

    /** The new side, with an undo that fails while {@link #undoFails} is set. */
    static final class FlakyUndo implements RecordStore {
        private final RecordStore store;
        volatile boolean undoFails;

        FlakyUndo(RecordStore store) {
            this.store = store;
        }

        @Override
        public WriteResult write(List<NewRecord> records, IdempotencyToken token, BeforeCommit beforeCommit,
                                 MigrationTerms terms) {
            return store.write(records, token, beforeCommit, terms);
        }

        @Override
        public void undo(List<Receipt> receipts, IdempotencyToken token) {
            if (undoFails) {
                throw new StoreUnavailableException("undo failed (injected)", null);
            }
            store.undo(receipts, token);
        }

        @Override
        public Optional<AuditRecord> find(AuditKind kind, UUID id) {
            return store.find(kind, id);
        }

        @Override
        public AuditPage list(AuditQuery query) {
            return store.list(query);
        }

        @Override
        public Optional<Instant> firstCreatedAt(AuditKind kind, Instant notBefore) {
            return store.firstCreatedAt(kind, notBefore);
        }
    }
}
