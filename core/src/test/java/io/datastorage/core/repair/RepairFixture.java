package io.datastorage.core.repair;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.embedding.RecordingEmbedder;
import io.datastorage.core.store.InMemoryAuditStore;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.UUID;
import java.util.stream.IntStream;

/** Records stored the way the write path leaves them when a part was down, for the jobs' tests. */
final class RepairFixture {
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private RepairFixture() {
    }

    private static NewRecord record(int i, boolean embedded) {
        var draft = VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation("r-" + i, "2026-11-20T10:00:00Z"));
        return new NewRecord(draft, embedded ? RecordingEmbedder.vectorOf("r-" + i) : null);
    }

    /** {@code count} records with their embedding but marked "index pending" (as after an index outage). */
    static List<UUID> indexPending(InMemoryAuditStore store, int count) {
        return write(store, count, true);
    }

    /** {@code count} records stored without their embedding (as after an embedder outage). */
    static List<UUID> embeddingPending(InMemoryAuditStore store, int count) {
        return write(store, count, false);
    }

    private static List<UUID> write(InMemoryAuditStore store, int count, boolean embedded) {
        // Without a before-commit hook nothing reaches an index: every record is stored "index pending".
        return store.write(IntStream.range(0, count).mapToObj(i -> record(i, embedded)).toList(), null)
                .receipts().stream().map(Receipt::id).toList();
    }
}
