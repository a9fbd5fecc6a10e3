package io.datastorage.core.repair;

import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.index.SwitchableIndex;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.InMemoryAuditStore;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IndexCatchUpJobTest {
    private final InMemoryAuditStore store = new InMemoryAuditStore(RepairFixture.CLOCK);
    private final SwitchableIndex index = new SwitchableIndex(new InMemoryVectorIndex(RecordingEmbedder.DIMENSION));
    private final IndexCatchUpJob job = new IndexCatchUpJob(store, index, Duration.ofMinutes(1));

    /** Records the store has marked indexed, as if the index had taken them before a crash lost them. */
    private List<UUID> indexedThenLost(int count) {
        RepairFixture.indexPending(store, count);
        List<IndexableRecord> records = store.pendingIndex(count);
        store.completeIndex(records);
        return records.stream().map(IndexableRecord::id).toList();
    }

    @Test
    void anIndexNeverCommittedGetsEveryIndexedRecordPageByPage() {
        List<UUID> ids = indexedThenLost(IndexCatchUpJob.PAGE + 1);

        assertThat(job.runOnce()).isEqualTo(ids.size());
        assertThat(index.upserts()).isEqualTo(2);
        assertThat(ids).allSatisfy(id -> assertThat(index.get(id)).isPresent());
    }

    @Test
    void recordsStillPendingAreLeftToTheRepair() {
        indexedThenLost(2);
        RepairFixture.indexPending(store, 3);

        assertThat(job.runOnce()).isEqualTo(2);
        assertThat(store.countPendingIndex()).isEqualTo(3);
    }

    @Test
    void eachRunReplaysAgainAndReplayingTwiceChangesNothing() {
        List<UUID> ids = indexedThenLost(3);

        job.runOnce();
        assertThat(job.runOnce()).isEqualTo(ids.size());
        assertThat(index.count()).isEqualTo(ids.size());
    }

    @Test
    void anIndexThatIsDownFailsTheRunAndLosesNothing() {
        indexedThenLost(2);
        index.down(true);

        assertThatThrownBy(job::runOnce).isInstanceOf(IndexUnavailableException.class);

        index.down(false);
        assertThat(job.runOnce()).isEqualTo(2);
    }

    @Test
    void refusesANegativeMargin() {
        assertThatThrownBy(() -> new IndexCatchUpJob(store, index, Duration.ofSeconds(-1)))
                .hasMessage("margin must not be negative, was PT-1S");
    }
}
