package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.RecordConflictException;
import io.datastorage.core.store.WriteResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Given ids where PostgreSQL's partitioning matters: the primary key is {@code (id, created_at)},
 * so nothing in the table itself keeps one id from being stored twice in two months' partitions.
 */
class PostgresGivenIdsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private HikariDataSource dataSource;
    private PostgresStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        store = PostgresStore.open(dataSource, CLOCK, 1);
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private static NewRecord given(UUID id, String createdAt) {
        return new NewRecord(VALIDATOR.validate(AuditKind.REMEDIATION, AuditFixtures.remediation("given", createdAt)),
                null, id, "L-1");
    }

    private long rows(UUID id) {
        try (var c = dataSource.getConnection();
             var s = c.prepareStatement("SELECT count(*) FROM audit_records WHERE id = ?")) {
            s.setObject(1, id);
            try (var rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void oneIdInTwoMonthsIsAConflictNotASecondRow() {
        UUID id = UUID.randomUUID();
        store.records().write(List.of(given(id, "2026-11-20T10:00:00Z")), null);

        assertThatThrownBy(() -> store.records().write(List.of(given(id, "2026-09-03T10:00:00Z")), null))
                .isInstanceOf(RecordConflictException.class);
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void concurrentWritesOfOneIdInTwoMonthsStoreOneRowAndRefuseTheOther() throws Exception {
        UUID id = UUID.randomUUID();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WriteResult>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (int i = 0; i < 8; i++) {
                NewRecord record = given(id, i % 2 == 0 ? "2026-11-20T10:00:00Z" : "2026-08-20T10:00:00Z");
                results.add(pool.submit(() -> {
                    start.await();
                    return store.records().write(List.of(record), null);
                }));
            }
            start.countDown();
            int stored = 0;
            int refused = 0;
            for (Future<WriteResult> result : results) {
                try {
                    assertThat(result.get().receipts().getFirst().id()).isEqualTo(id);
                    stored++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(RecordConflictException.class);
                    refused++;
                }
            }
            assertThat(stored).as("the writes of the month stored first").isEqualTo(4);
            assertThat(refused).as("the other month's").isEqualTo(4);
        }
        assertThat(rows(id)).isEqualTo(1);
    }

    @Test
    void theSchemaRefusesAnEmptyLegacyId() {
        store.records().write(List.of(given(UUID.randomUUID(), "2026-11-20T10:00:00Z")), null);

        assertThatThrownBy(() -> PostgresTestDatabase.executeBypassingTriggers(dataSource, "UPDATE audit_records SET legacy_id = ''"))
                .hasMessageContaining("audit_records_legacy_id_check");
    }
}
