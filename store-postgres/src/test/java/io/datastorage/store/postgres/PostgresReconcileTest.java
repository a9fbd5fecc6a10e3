package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.dualwrite.Deadline;
import io.datastorage.core.dualwrite.DualWriteCoordinator;
import io.datastorage.core.dualwrite.DualWriteListener;
import io.datastorage.core.dualwrite.GuardedIndex;
import io.datastorage.core.dualwrite.InFlightWrites;
import io.datastorage.core.index.InMemoryVectorIndex;
import io.datastorage.core.reconcile.ReconcileReport;
import io.datastorage.core.reconcile.Reconciler;
import io.datastorage.core.store.AuditStore;
import io.datastorage.core.store.IndexableRecord;
import io.datastorage.core.store.NewRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What reconciliation asks of PostgreSQL: per-slice digests, fingerprints, and the records to repair. */
class PostgresReconcileTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private final Random random = new Random(5);
    private HikariDataSource dataSource;
    private AuditStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresTestDatabase.bundle(PostgresStore.open(dataSource, CLOCK, 1));
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private NewRecord record(String name, boolean embedded) {
        float[] vector = null;
        if (embedded) {
            vector = new float[4];
            for (int i = 0; i < vector.length; i++) {
                vector[i] = (float) random.nextGaussian();
            }
        }
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION,
                AuditFixtures.remediation(name, "2026-11-20T10:00:00Z")), vector);
    }

    private void sql(String statement) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void reconcilesAnIndexThatLostEntriesAndRecordsFingerprintsMissingFromOlderRows() throws SQLException {
        InMemoryVectorIndex index = new InMemoryVectorIndex(4);
        InFlightWrites inFlight = new InFlightWrites();
        DualWriteCoordinator coordinator = new DualWriteCoordinator(store,
                GuardedIndex.of(index, 1, Duration.ofMillis(1), Duration.ofSeconds(1)), DualWriteCoordinator.Mode.FALLBACK,
                new DualWriteListener() { }, inFlight);
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            coordinator.write(List.of(record("r" + i, true), record("s" + i, true)), null, Deadline.none())
                    .receipts().forEach(r -> ids.add(r.id()));
        }
        // Rows indexed before fingerprints were kept, and an index that lost three entries.
        sql("UPDATE audit_records SET vector_fingerprint = NULL");
        index.delete(ids.subList(0, 3));
        Reconciler reconciler = new Reconciler(store, store, index, inFlight, 4, 10, Reconciler.DEFAULT_GRACE, CLOCK);

        ReconcileReport report = reconciler.run(Reconciler.Progress.NONE);

        assertThat(report.checked()).isEqualTo(40);
        assertThat(report.missing()).isEqualTo(3);
        assertThat(report.changed()).as("entries matching their records are not rewritten").isZero();
        assertThat(report.orphans()).isZero();
        assertThat(report.repaired()).isEqualTo(3);
        assertThat(index.count()).isEqualTo(40);
        Map<UUID, Long> kept = new HashMap<>();
        for (int slice = 0; slice < 16; slice++) {
            kept.putAll(store.vectorFingerprints(slice, 4));
        }
        assertThat(kept.values()).doesNotContainNull();
        assertThat(kept).isEqualTo(store.indexable(ids).stream()
                .collect(Collectors.toMap(IndexableRecord::id, IndexableRecord::fingerprint)));

        ReconcileReport again = reconciler.run(Reconciler.Progress.NONE);
        assertThat(again.consistent()).isTrue();
        assertThat(again.slicesDiffering()).isZero();
    }
}
