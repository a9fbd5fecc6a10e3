package io.datastorage.index.lucene;

import io.datastorage.core.index.IndexEntry;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.index.IndexHit;
import io.datastorage.core.index.IndexUnavailableException;
import io.datastorage.core.index.VectorIndex;
import io.datastorage.core.index.VectorIndexContract;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LuceneVectorIndexTest extends VectorIndexContract {
    @TempDir
    Path dir;

    @Override
    protected VectorIndex newIndex(int dimension) {
        return LuceneVectorIndex.open(dir.resolve("contract"), dimension, Duration.ofSeconds(5));
    }

    @Test
    void keepsWhatItCommittedAcrossARestartAndSaysAsOfWhen() {
        Instant commitTime = Instant.parse("2020-01-01T12:00:00Z");
        Path path = dir.resolve("durable");
        List<IndexEntry> entries = new ArrayList<>();
        try (LuceneVectorIndex lucene = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1),
                Clock.fixed(commitTime, ZoneOffset.UTC))) {
            assertThat(lucene.durableAsOf()).isEmpty();
            for (int i = 0; i < 20; i++) {
                entries.add(entry(randomUnitVector()));
            }
            lucene.upsert(entries);
            lucene.commit();
            assertThat(lucene.durableAsOf()).contains(commitTime);
            assertThat(lucene.recoveredAsOf()).as("a new index recovered nothing, whatever it commits").isEmpty();
        }

        try (LuceneVectorIndex reopened = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1))) {
            assertThat(reopened.durableAsOf()).contains(commitTime);
            assertThat(reopened.recoveredAsOf()).contains(commitTime);
            assertThat(reopened.crashRecovery()).as("the capability is the index itself").containsSame(reopened);
            reopened.upsert(List.of(entry(randomUnitVector())));
            reopened.commit();
            assertThat(reopened.durableAsOf().orElseThrow()).isAfter(commitTime);
            assertThat(reopened.recoveredAsOf()).as("what survived the restart stays put").contains(commitTime);
            reopened.refresh();
            assertThat(reopened.count()).isEqualTo(21);
            IndexEntry first = entries.getFirst();
            assertThat(reopened.get(first.id()).orElseThrow().vector()).containsExactly(first.vector());
            assertThat(reopened.get(first.id()).orElseThrow().metadata()).isEqualTo(first.metadata());
            assertThat(reopened.search(first.vector(), 1, IndexFilter.NONE)).extracting(IndexHit::id)
                    .containsExactly(first.id());
        }
    }

    @Test
    void commitsOnItsIntervalWithoutBeingAsked() {
        Path path = dir.resolve("interval");
        try (LuceneVectorIndex lucene = LuceneVectorIndex.open(path, DIMENSION, Duration.ofMillis(100))) {
            lucene.upsert(List.of(entry(randomUnitVector())));
            await().atMost(Duration.ofSeconds(10)).until(() -> lucene.durableAsOf().isPresent());
        }
    }

    /**
     * Closing while the periodic commit runs waits for it and keeps everything. (close() used to
     * interrupt the commit thread; an interrupt that lands inside Lucene's file I/O closes the
     * channel and breaks the writer, and the benchmark once lost its final commit that way. That
     * moment cannot be staged from outside; this holds the commit thread at the start of its
     * commit, in the clock it reads first, while close() begins, then lets it go.)
     */
    @Test
    void closingDuringAPeriodicCommitWaitsForItAndLosesNothing() throws Exception {
        Path path = dir.resolve("close-during-commit");
        CountDownLatch inCommit = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Clock holdingCommitThread = new Clock() {
            @Override
            public Instant instant() {
                if (Thread.currentThread().getName().equals("lucene-commit")) {
                    inCommit.countDown();
                    boolean interrupted = false;
                    while (true) {
                        try {
                            release.await();
                            break;
                        } catch (InterruptedException e) {
                            interrupted = true; // keep the interrupt for the I/O that follows, as a real thread would
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
                return Instant.now();
            }

            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }
        };
        List<IndexEntry> entries = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            entries.add(entry(randomUnitVector()));
        }
        LuceneVectorIndex lucene = LuceneVectorIndex.open(path, DIMENSION, Duration.ofMillis(100), holdingCommitThread);
        lucene.upsert(entries);
        assertThat(inCommit.await(10, TimeUnit.SECONDS)).as("the periodic commit started").isTrue();
        Thread closing = Thread.ofPlatform().start(lucene::close);
        Thread.sleep(200); // close() is under way while the commit is held
        release.countDown();
        closing.join(TimeUnit.SECONDS.toMillis(40));
        assertThat(closing.isAlive()).isFalse();

        try (LuceneVectorIndex reopened = LuceneVectorIndex.open(path, DIMENSION, Duration.ofHours(1))) {
            assertThat(reopened.count()).isEqualTo(entries.size());
        }
    }

    @Test
    void aClosedIndexAnswersUnavailableAndSaysItIsDown() {
        LuceneVectorIndex lucene = LuceneVectorIndex.open(dir.resolve("closed"), DIMENSION, Duration.ofSeconds(5));
        lucene.close();

        assertThat(lucene.health().up()).isFalse();
        assertThatThrownBy(() -> lucene.upsert(List.of(entry(randomUnitVector()))))
                .isInstanceOf(IndexUnavailableException.class);
        assertThatThrownBy(lucene::count).isInstanceOf(IndexUnavailableException.class);
    }

    @Test
    void holdsVectorsOfOpenAiSizeAndReadsThemBackAfterARestart() {
        Path path = dir.resolve("wide");
        float[] wide = new float[1536];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (i % 7) - 3f;
        }
        IndexEntry entry = entry(java.util.UUID.randomUUID(), wide, io.datastorage.core.audit.AuditKind.EXECUTION, null, null, T0);
        try (LuceneVectorIndex lucene = LuceneVectorIndex.open(path, 1536, Duration.ofHours(1))) {
            lucene.upsert(List.of(entry));
        }
        try (LuceneVectorIndex reopened = LuceneVectorIndex.open(path, 1536, Duration.ofHours(1))) {
            assertThat(reopened.search(wide, 1, IndexFilter.NONE)).extracting(IndexHit::id).containsExactly(entry.id());
            assertThat(reopened.get(entry.id()).orElseThrow().vector()).containsExactly(wide);
        }
    }

    @Test
    void refusesSettingsThatCannotWork() {
        assertThatThrownBy(() -> LuceneVectorIndex.open(dir.resolve("x"), 0, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimension");
        assertThatThrownBy(() -> LuceneVectorIndex.open(dir.resolve("x"), 4, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("commitInterval");
    }
}
