package io.datastorage.store.postgres;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.audit.ValidationPolicy;
import io.datastorage.core.index.IndexFilter;
import io.datastorage.core.search.SearchStore;
import io.datastorage.core.search.SearchStore.StoredVector;
import io.datastorage.core.store.AuditRecord;
import io.datastorage.core.store.NewRecord;
import io.datastorage.core.store.Receipt;
import io.datastorage.core.store.RecordStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What semantic search reads from PostgreSQL: records by id, and the newest embeddings for the exact scan. */
class PostgresSearchStoreTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-20T12:00:00Z"), ZoneOffset.UTC);
    private static final AuditValidator VALIDATOR = new AuditValidator(ValidationPolicy.DEFAULT, CLOCK);

    private HikariDataSource dataSource;
    private RecordStore records;
    private SearchStore store;

    @BeforeEach
    void open() {
        dataSource = PostgresTestDatabase.freshDatabase();
        PostgresStore postgres = PostgresStore.open(dataSource, CLOCK, 1);
        records = postgres.records();
        store = postgres.searchStore();
    }

    @AfterEach
    void close() {
        dataSource.close();
    }

    private UUID write(AuditKind kind, String namespace, String createdAt, float[] vector) {
        Map<String, Object> body = AuditFixtures.valid(kind);
        body.put("namespace", namespace);
        body.put("createdAt", createdAt);
        List<Receipt> receipts = records.write(List.of(new NewRecord(VALIDATOR.validate(kind, body), vector)), null).receipts();
        return receipts.getFirst().id();
    }

    @Test
    void readsRecordsByIdAndLeavesOutUnknownIds() {
        UUID a = write(AuditKind.WORKFLOW, "prod", "2026-11-20T10:00:00Z", new float[]{1, 0});
        UUID b = write(AuditKind.EXECUTION, "dev", "2026-11-20T10:00:00Z", null);

        List<AuditRecord> records = store.records(List.of(a, b, UUID.randomUUID()));

        assertThat(records).extracting(AuditRecord::id).containsExactlyInAnyOrder(a, b);
        AuditRecord first = records.stream().filter(r -> r.id().equals(a)).findFirst().orElseThrow();
        assertThat(first.kind()).isEqualTo(AuditKind.WORKFLOW);
        assertThat(first.document()).containsEntry("namespace", "prod");
        assertThat(first.embedded()).isTrue();
        assertThat(store.records(List.of())).isEmpty();
    }

    @Test
    void scansTheNewestMatchingEmbeddingsUpToTheBound() {
        List<UUID> prodWorkflows = new ArrayList<>();
        for (int hour = 1; hour <= 5; hour++) {
            prodWorkflows.add(write(AuditKind.WORKFLOW, "prod", "2026-11-20T0" + hour + ":00:00Z", new float[]{hour, 1}));
        }
        write(AuditKind.WORKFLOW, "dev", "2026-11-20T09:00:00Z", new float[]{1, 1});
        write(AuditKind.EXECUTION, "prod", "2026-11-20T09:00:00Z", new float[]{1, 1});
        write(AuditKind.WORKFLOW, "prod", "2026-11-20T09:00:00Z", null);

        IndexFilter prodWorkflowsFilter = new IndexFilter(Set.of(AuditKind.WORKFLOW), "prod", "Completed", null, null);
        List<StoredVector> newest = store.newestVectors(prodWorkflowsFilter, 3);

        assertThat(newest).extracting(StoredVector::id)
                .containsExactly(prodWorkflows.get(4), prodWorkflows.get(3), prodWorkflows.get(2));
        assertThat(newest.getFirst().embedding()).containsExactly(5f, 1f);

        IndexFilter window = new IndexFilter(Set.of(), null, null, Instant.parse("2026-11-20T02:00:00Z"),
                Instant.parse("2026-11-20T04:00:00Z"));
        assertThat(store.newestVectors(window, 100)).extracting(StoredVector::id)
                .containsExactly(prodWorkflows.get(2), prodWorkflows.get(1));
        assertThat(store.newestVectors(new IndexFilter(Set.of(), null, "Running", null, null), 100)).isEmpty();
    }
}
