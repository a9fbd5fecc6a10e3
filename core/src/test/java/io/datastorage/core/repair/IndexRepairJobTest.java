package io.datastorage.core.repair;

import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.store.InMemoryAuditStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexRepairJobTest {
    private static final int BATCH = 3;

    private final InMemoryAuditStore store = new InMemoryAuditStore(RepairFixture.CLOCK);
    private final SwitchableIndex index = new SwitchableIndex(new InMemoryVectorIndex(RecordingEmbedder.DIMENSION));
    // A breaker that closes again at once, so that the test need not wait for its half-open probe.
    private final IndexRepairJob job = new IndexRepairJob(store,
            GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofMillis(1)), BATCH);

    @Test
    void aRunIndexesAtMostItsBoundOfBatchesOldestFirst() {
        int backlog = BATCH * IndexRepairJob.MAX_BATCHES_PER_RUN + 2;
        RepairFixture.indexPending(store, backlog);

        assertThat(job.runOnce()).isEqualTo(BATCH * IndexRepairJob.MAX_BATCHES_PER_RUN);
        assertThat(index.upserts()).isEqualTo(IndexRepairJob.MAX_BATCHES_PER_RUN);
        assertThat(store.countPendingIndex()).isEqualTo(2);
    }

    @Test
    void runsDrainTheBacklogAndThenFindNothingToDo() {
        List<UUID> ids = RepairFixture.indexPending(store, 2 * BATCH * IndexRepairJob.MAX_BATCHES_PER_RUN + 1);

        long indexed = 0;
        for (long done = job.runOnce(); done > 0; done = job.runOnce()) {
            indexed += done;
        }

        assertThat(indexed).isEqualTo(ids.size());
        assertThat(store.countPendingIndex()).isZero();
        assertThat(ids).allSatisfy(id -> assertThat(index.get(id)).isPresent());
        assertThat(job.runOnce()).isZero();
    }

    @Test
    void anIndexThatIsDownLosesNothingAndTheRecordsStayPendingUntilItIsBack() {
        List<UUID> ids = RepairFixture.indexPending(store, BATCH + 1);
        index.down(true);

        assertThatThrownBy(job::runOnce).isInstanceOf(IndexUnavailableException.class);
        assertThat(store.countPendingIndex()).isEqualTo(ids.size());

        index.down(false);
        assertThat(job.runOnce()).isEqualTo(ids.size());
        assertThat(store.countPendingIndex()).isZero();
        assertThat(index.count()).isEqualTo(ids.size());
    }

    @Test
    void recordsStillWithoutAnEmbeddingAreLeftToTheEmbeddingRepair() {
        RepairFixture.embeddingPending(store, 2);

        assertThat(job.runOnce()).isZero();
        assertThat(index.upserts()).isZero();
        assertThat(store.countPendingIndex()).isEqualTo(2);
    }

    @Test
    void refusesABatchSizeBelowOne() {
        assertThatThrownBy(() -> new IndexRepairJob(store, GuardedIndex.of(index, 1, Duration.ofMillis(1),
                Duration.ofMillis(1)), 0)).hasMessage("batchSize must be at least 1, was 0");
    }

    @Test
    void aRunStopsBetweenBatchesWhenItsContextSaysSoLeavingTheRestPending() {
        RepairFixture.indexPending(store, 3 * BATCH);
        AtomicInteger asked = new AtomicInteger();

        long done = job.runOnce(() -> asked.incrementAndGet() < 2); // the lease is lost before the third batch

        assertThat(done).isEqualTo(2 * BATCH);
        assertThat(asked).as("asked before every batch but the first").hasValue(2);
        assertThat(store.countPendingIndex()).isEqualTo(BATCH);
    }
}
