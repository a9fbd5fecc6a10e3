package io.datastorage.index.lucene;

import io.datastorage.core.ManualClock;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexMetadata;
import io.datastorage.core.index.VectorIndexContract;
import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.core.store.InMemoryAuditStore;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The write time kept in each record document, and what an index written without it gives. */
class LuceneWriteTimeTest {
    private static final int DIMENSION = 16;

    @TempDir
    Path dir;
    private final ManualClock clock = new ManualClock(Instant.parse("2026-11-20T12:00:00Z"));
    private final Random random = new Random(15);

    private IndexEntry entry() {
        return new IndexEntry(UUID.randomUUID(), VectorIndexContract.randomUnitVector(random, DIMENSION),
                new IndexMetadata(AuditKind.WORKFLOW, "ns", "Running", Instant.parse("2026-11-20T10:00:00Z"), "c"));
    }

    @Test
    void theWriteTimeComesFromTheIndexClockAndSurvivesAReopen() {
        IndexEntry entry = entry();
        try (LuceneVectorIndex index = LuceneVectorIndex.open(dir.resolve("index"), DIMENSION, Duration.ofHours(1), clock)) {
            index.upsert(List.of(entry));
            index.refresh();
            assertThat(index.writtenAt(List.of(entry.id()))).containsEntry(entry.id(), clock.instant());
        }
        try (LuceneVectorIndex reopened = LuceneVectorIndex.open(dir.resolve("index"), DIMENSION, Duration.ofHours(1), clock)) {
            assertThat(reopened.writtenAt(List.of(entry.id()))).containsEntry(entry.id(), clock.instant());
        }
    }

    /** Documents written before issue 15 have no write time: their orphans are not spared. */
    @Test
    void entriesOfAnIndexWrittenBeforeWriteTimesWereKeptCountAsOld() throws Exception {
        Path path = dir.resolve("old");
        IndexEntry orphan = entry();
        try (IndexWriter writer = new IndexWriter(FSDirectory.open(path), new IndexWriterConfig())) {
            writer.addDocument(RepeatedVectorsTest.documentOfTheOldLayout(orphan));
            writer.commit();
        }

        try (LuceneVectorIndex index = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1), clock)) {
            assertThat(index.get(orphan.id())).isPresent();
            assertThat(index.writtenAt(List.of(orphan.id()))).isEmpty();

            InMemoryAuditStore store = new InMemoryAuditStore(clock);
            ReconcileReport report = new Reconciler(store, store, index, new InFlightWrites(), 4, 10,
                    Reconciler.DEFAULT_GRACE, clock).run(Reconciler.Progress.NONE);

            assertThat(report.orphans()).isEqualTo(1);
            assertThat(report.tooYoung()).isZero();
            index.refresh();
            assertThat(index.get(orphan.id())).isEmpty();
        }
    }

    /**
     * Only the process that opened the index writes it, so what an earlier process wrote (here: a
     * vector whose record never committed before a crash) is settled, however young.
     */
    @Test
    void orphansAnEarlierProcessLeftAreDeletedWithoutWaitingForTheGracePeriod() {
        Path path = dir.resolve("index");
        IndexEntry orphan = entry();
        try (LuceneVectorIndex index = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1), clock)) {
            index.upsert(List.of(orphan));
        }
        clock.advance(Duration.ofSeconds(5)); // a restart, well within the grace period

        try (LuceneVectorIndex index = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1), clock)) {
            IndexEntry young = entry(); // written by this process: perhaps still in flight elsewhere in it
            index.upsert(List.of(young));
            assertThat(index.writesSettledBefore()).contains(clock.instant());

            InMemoryAuditStore store = new InMemoryAuditStore(clock);
            ReconcileReport report = new Reconciler(store, store, index, new InFlightWrites(), 4, 10,
                    Reconciler.DEFAULT_GRACE, clock).run(Reconciler.Progress.NONE);

            assertThat(report.orphans()).isEqualTo(1);
            assertThat(report.tooYoung()).isEqualTo(1);
            index.refresh();
            assertThat(index.get(orphan.id())).isEmpty();
            assertThat(index.get(young.id())).isPresent();
        }
    }
}
