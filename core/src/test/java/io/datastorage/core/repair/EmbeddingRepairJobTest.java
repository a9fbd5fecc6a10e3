package io.datastorage.core.repair;

import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.embedding.SwitchableEmbedder;
import io.datastorage.core.store.InMemoryAuditStore;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddingRepairJobTest {
    private static final int BATCH = 2;

    private final InMemoryAuditStore store = new InMemoryAuditStore(RepairFixture.CLOCK);
    private final SwitchableEmbedder model = new SwitchableEmbedder();
    private final List<Integer> failures = new ArrayList<>();
    private final EmbeddingRepairJob job = new EmbeddingRepairJob(store, new RecordEmbedder(model, failures::add), BATCH);

    @Test
    void aRunEmbedsAtMostItsBoundOfBatches() {
        RepairFixture.embeddingPending(store, BATCH * EmbeddingRepairJob.MAX_BATCHES_PER_RUN + 1);

        assertThat(job.runOnce()).isEqualTo(BATCH * EmbeddingRepairJob.MAX_BATCHES_PER_RUN);
        assertThat(model.calls()).hasSize(EmbeddingRepairJob.MAX_BATCHES_PER_RUN).allMatch(call -> call.size() == BATCH);
        assertThat(store.countPendingEmbeddings()).isEqualTo(1);
    }

    @Test
    void runsDrainTheBacklogAndLeaveTheRecordsToBeIndexed() {
        int backlog = 2 * BATCH * EmbeddingRepairJob.MAX_BATCHES_PER_RUN + 1;
        RepairFixture.embeddingPending(store, backlog);

        long embedded = 0;
        for (long done = job.runOnce(); done > 0; done = job.runOnce()) {
            embedded += done;
        }

        assertThat(embedded).isEqualTo(backlog);
        assertThat(store.countPendingEmbeddings()).isZero();
        assertThat(store.pendingIndex(backlog + 1)).hasSize(backlog);
    }

    @Test
    void anEmbedderThatIsDownEndsTheRunAndTheRecordsStayPending() {
        RepairFixture.embeddingPending(store, BATCH + 1);
        model.down(true);

        assertThat(job.runOnce()).isZero();
        assertThat(store.countPendingEmbeddings()).isEqualTo(BATCH + 1);
        assertThat(failures).as("one failed call, then the run ends").containsExactly(BATCH);

        model.down(false);
        assertThat(job.runOnce()).isEqualTo(BATCH + 1);
        assertThat(store.countPendingEmbeddings()).isZero();
    }
}
