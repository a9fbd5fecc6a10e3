package io.datastorage.core.migration;

import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.embedding.RecordEmbedder;
import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.job.JobContext;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/** Two in-memory sides of a migration with a backfill between them, for the backfill's tests. */
final class BackfillFixture {
    static final Instant DAY = Instant.parse("2026-11-19T00:00:00Z");

    final SyncFixture sides = new SyncFixture();
    final RecordingEmbedder model = new RecordingEmbedder();
    final InMemoryBackfillCheckpoints checkpoints = new InMemoryBackfillCheckpoints();
    final InMemoryMigrationRuns runs = new InMemoryMigrationRuns();
    final BackfillSide legacySide = BackfillSide.of(sides.legacyStore);
    final BackfillSide newSide = new NewBackfillSide(sides.newStore, sides.validator,
            new RecordEmbedder(model, RecordEmbedder.FailureListener.NONE),
            DualWriteCoordinator.storeOnly(sides.newStore, DualWriteListener.NONE), sides.clock);
    /** Runs before each put on the target: what a producer or retention does meanwhile. */
    Consumer<List<LegacyRecord>> beforePut = records -> { };
    /** One scan call to a side: where from, how many records it answered. */
    record Scan(io.datastorage.core.audit.AuditKind kind, Optional<LegacyPosition> after, int records) {
    }

    /** Every scan call to either side, in order. */
    final List<Scan> scans = new ArrayList<>();

    /** Record {@code n} of {@link SyncFixture#record}: a few per minute over a day, some sharing a createdAt. */
    static LegacyRecord record(int n) {
        return SyncFixture.record(n, DAY.plus(Duration.ofSeconds(20L * (n / 3))));
    }

    static List<LegacyRecord> records(int from, int to) {
        List<LegacyRecord> records = new ArrayList<>();
        for (int n = from; n < to; n++) {
            records.add(record(n));
        }
        return records;
    }

    Backfill backfill() {
        return new Backfill(observed(legacySide), observed(newSide), checkpoints, () -> 3, Backfill.MAX_RATE,
                sides.clock, Backfill.Listener.NONE);
    }

    Backfill backfill(Backfill.Listener listener) {
        return new Backfill(observed(legacySide), observed(newSide), checkpoints, () -> 3, Backfill.MAX_RATE,
                sides.clock, listener);
    }

    BackfillResult run(BackfillDirection direction) {
        return backfill().run(direction, JobContext.ALONE, progress -> { });
    }

    /** A side whose puts run {@link #beforePut} first and whose scans are recorded. */
    private BackfillSide observed(BackfillSide side) {
        return new BackfillSide() {
            @Override
            public LegacyPage scan(io.datastorage.core.audit.AuditKind kind, Optional<LegacyPosition> after, int limit) {
                LegacyPage page = side.scan(kind, after, limit);
                scans.add(new Scan(kind, after, page.records().size()));
                return page;
            }

            @Override
            public Optional<LegacyRecord> find(io.datastorage.core.audit.AuditKind kind, UUID id) {
                return side.find(kind, id);
            }

            @Override
            public long count(io.datastorage.core.audit.AuditKind kind) {
                return side.count(kind);
            }

            @Override
            public List<PutOutcome> putAll(List<LegacyRecord> records) {
                beforePut.accept(records);
                return side.putAll(records);
            }

            @Override
            public void remove(LegacyRecord record) {
                side.remove(record);
            }

            @Override
            public String toString() {
                return side.toString();
            }
        };
    }
}
