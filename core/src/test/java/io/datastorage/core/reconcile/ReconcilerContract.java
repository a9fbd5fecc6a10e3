package io.datastorage.core.reconcile;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What reconciliation promises, for every index backend: afterwards the index holds one entry per
 * stored record with an embedding, matching it, and nothing else; a second run finds nothing. An
 * entry without a record whose write may still be under way in another process (younger than the
 * grace period) is kept until it is older. Time is a {@link ManualClock} shared by the index (its
 * write times) and the reconciler (their age).
 */
public abstract class ReconcilerContract {
    private static final int DIMENSION = 8;
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private static final Duration GRACE = Reconciler.DEFAULT_GRACE;

    private final ManualClock clock = new ManualClock(CLOCK.instant());
    private final InMemoryAuditStore store = new InMemoryAuditStore(CLOCK);
    private final InFlightWrites inFlight = new InFlightWrites();
    private final Random random = new Random(11);
    private SwitchableIndex index;
    private DualWriteCoordinator coordinator;
    private Reconciler reconciler;

    /** An empty index that reads its write times from {@code clock}. */
    protected abstract VectorIndex newIndex(int dimension, Clock clock);

    @BeforeEach
    void open() {
        index = new SwitchableIndex(newIndex(DIMENSION, clock));
        coordinator = new DualWriteCoordinator(store, GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofMillis(1)),
                DualWriteCoordinator.Mode.FALLBACK, new DualWriteListener() { }, inFlight);
        reconciler = new Reconciler(store, store, index, inFlight, 6, 7, GRACE, clock);
    }

    @AfterEach
    void close() {
        index.close();
    }

    private float[] vector() {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private List<UUID> write(int count) {
        List<NewRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION,
                    AuditFixtures.remediation("r" + i, "2026-11-20T10:00:00Z")), vector()));
        }
        return coordinator.write(records, null, Deadline.none()).receipts().stream().map(Receipt::id).toList();
    }

    private IndexEntry stray() {
        return new IndexEntry(UUID.randomUUID(), vector(),
                new IndexMetadata(AuditKind.WORKFLOW, "ns", "Running", CLOCK.instant(), null));
    }

    private Set<UUID> indexIds() {
        index.refresh();
        Set<UUID> ids = new HashSet<>();
        UUID after = null;
        for (List<UUID> page = index.ids(null, 100); !page.isEmpty(); page = index.ids(after, 100)) {
            ids.addAll(page);
            after = page.getLast();
        }
        return ids;
    }

    private void assertConverged() {
        assertThat(indexIds()).isEqualTo(store.ids());
        assertThat(store.countPendingIndex()).isZero();
        ReconcileReport again = reconciler.run(Reconciler.Progress.NONE);
        assertThat(again.consistent()).as("a second run finds nothing: %s", again).isTrue();
        assertThat(again.slicesDiffering()).isZero();
    }

    @Test
    void aConsistentPairNeedsNothingAndIsComparedBySlicesOnly() {
        write(40);

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.consistent()).isTrue();
        assertThat(report.checked()).isEqualTo(40);
        assertThat(report.indexEntries()).isEqualTo(40);
        assertThat(report.slices()).isEqualTo(64);
        assertThat(report.slicesDiffering()).isZero();
        assertThat(report.repaired()).isZero();
    }

    @Test
    void putsBackVectorsTheIndexLost() {
        List<UUID> ids = write(40);
        index.delete(ids.subList(0, 5));

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.missing()).isEqualTo(5);
        assertThat(report.repaired()).isEqualTo(5);
        assertThat(report.orphans()).isZero();
        assertConverged();
    }

    @Test
    void deletesVectorsWithoutARecord() {
        List<UUID> ids = write(20);
        store.forget(ids.get(0));
        store.forget(ids.get(1));
        List<IndexEntry> strays = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            strays.add(stray());
        }
        index.upsert(strays);
        clock.advance(GRACE.plusSeconds(1)); // the strays are old; the forgotten records' writes ended here

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.orphans()).isEqualTo(5);
        assertThat(report.missing()).isZero();
        assertConverged();
    }

    @Test
    void rewritesEntriesThatNoLongerMatchTheirRecord() {
        UUID id = write(10).get(3);
        IndexableRecord current = store.indexable(List.of(id)).getFirst();
        IndexableRecord earlier = new IndexableRecord(id, current.kind(), current.namespace(), current.phase(),
                current.createdAt(), current.receivedAt(), vector());
        index.upsert(List.of(earlier.toEntry()));

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.changed()).isEqualTo(1);
        assertThat(report.repaired()).isEqualTo(1);
        index.refresh();
        assertThat(index.get(id).orElseThrow().vector()).isEqualTo(store.indexable(List.of(id)).getFirst().embedding());
        assertConverged();
    }

    @Test
    void indexesRecordsStoredWhileTheIndexWasDownAndClearsTheirMarks() {
        write(5);
        index.down(true);
        List<UUID> pending = write(12);
        index.down(false);
        assertThat(store.countPendingIndex()).isEqualTo(12);

        List<int[]> progress = new ArrayList<>();
        ReconcileReport report = reconciler.run((done, total) -> progress.add(new int[]{done, total}));

        assertThat(report.missing()).isEqualTo(12);
        assertThat(pending).allSatisfy(id -> assertThat(store.indexPending(id)).isFalse());
        assertThat(progress.getFirst()).containsExactly(0, report.slicesDiffering());
        assertThat(progress.getLast()).containsExactly(report.slicesDiffering(), report.slicesDiffering());
        assertConverged();
    }

    @Test
    void leavesAloneAVectorWhoseWriteIsStillInFlight() {
        AtomicReference<ReconcileReport> during = new AtomicReference<>();
        index.duringUpsert(() -> {
            if (during.get() == null) {
                during.set(reconciler.run(Reconciler.Progress.NONE));
            }
        });

        List<UUID> ids = write(1);
        index.duringUpsert(() -> { });

        assertThat(during.get().inFlight()).isEqualTo(1);
        assertThat(during.get().orphans()).isZero();
        assertThat(indexIds()).containsExactlyElementsOf(ids);
        assertConverged();
    }

    @Test
    void anIndexThatFailsStopsTheRunAndTheNextRunFinishesTheJob() {
        List<UUID> ids = write(30);
        index.delete(ids.subList(0, 10));
        index.down(true);

        assertThatThrownBy(() -> reconciler.run(Reconciler.Progress.NONE))
                .isInstanceOf(IndexUnavailableException.class);

        index.down(false);
        assertThat(reconciler.run(Reconciler.Progress.NONE).missing()).isEqualTo(10);
        assertConverged();
    }

    @Test
    void anOrphanYoungerThanTheGracePeriodIsKeptAndDeletedOnceOlder() {
        write(10);
        IndexEntry young = stray(); // as if another replica's write had upserted it and not yet committed
        index.upsert(List.of(young));
        clock.advance(GRACE.minusSeconds(1));

        ReconcileReport early = reconciler.run(Reconciler.Progress.NONE);

        assertThat(early.tooYoung()).isEqualTo(1);
        assertThat(early.orphans()).isZero();
        assertThat(early.consistent()).isTrue();
        assertThat(indexIds()).contains(young.id());

        clock.advance(Duration.ofSeconds(2));
        ReconcileReport late = reconciler.run(Reconciler.Progress.NONE);

        assertThat(late.tooYoung()).isZero();
        assertThat(late.orphans()).isEqualTo(1);
        assertThat(indexIds()).doesNotContain(young.id());
        assertConverged();
    }

    @Test
    void aRewriteMakesAnOrphanYoungAgain() {
        IndexEntry stray = stray();
        index.upsert(List.of(stray));
        clock.advance(GRACE.plusSeconds(1));
        index.upsert(List.of(stray)); // written again, e.g. by a retried write of another replica

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.tooYoung()).isEqualTo(1);
        assertThat(indexIds()).contains(stray.id());
    }

    @Test
    void anOrphanOfAWriteOfThisProcessThatEndedIsDeletedWithoutWaitingForTheGracePeriod() {
        List<UUID> ids = write(3);
        store.forget(ids.get(1)); // as if its commit had failed after the upsert, the vector left behind

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.orphans()).isEqualTo(1);
        assertThat(report.tooYoung()).isZero();
        assertThat(indexIds()).doesNotContain(ids.get(1));
        assertConverged();
    }

    @Test
    void refusesANegativeGracePeriod() {
        assertThatThrownBy(() -> new Reconciler(store, store, index, inFlight, 6, 7, Duration.ofSeconds(-1), clock))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PT-1S");
    }
}
