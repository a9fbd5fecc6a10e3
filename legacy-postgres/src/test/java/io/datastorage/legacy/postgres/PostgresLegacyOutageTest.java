package io.datastorage.legacy.postgres;

import io.datastorage.core.audit.AuditFixtures;
import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The legacy PostgreSQL stopped and started again under an open store: a PostgreSQL of its own
 * (stopping the shared one would pull it from under the other tests), really stopped and restarted.
 */
class PostgresLegacyOutageTest {
    private static final Instant T0 = Instant.parse("2026-11-20T11:00:00.123456Z");
    @TempDir
    static Path temp;
    private static EmbeddedPostgresServer server;
    private static LegacyPostgresConfig config;

    @BeforeAll
    static void start() throws IOException, SQLException {
        server = EmbeddedPostgresServer.start(temp.resolve("pg"), 0);
        String url = "jdbc:postgresql://localhost:" + server.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, server.user(), null); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE audit_events (event_id text NOT NULL, created_at timestamptz NOT NULL, "
                    + "event_type text NOT NULL, payload jsonb)");
        }
        Path mapping = Files.writeString(temp.resolve("mapping.properties"), """
                table=audit_events
                id-column=event_id
                timestamp-column=created_at
                kind-column=event_type
                document-column=payload
                """);
        config = new LegacyPostgresConfig(url, server.user(), null, mapping, 2, Duration.ofMillis(500), Duration.ofSeconds(10));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aStoppedDatabaseFailsEveryCallTransientlyAndTheStoreServesAgainOnceItIsBackWithoutARestart() {
        LegacyRecord stored = LegacyRecord.fromLegacy("evt-outage-1", AuditKind.WORKFLOW, T0,
                AuditFixtures.valid(AuditKind.WORKFLOW));
        try (PostgresLegacyStore store = config.open()) {
            store.put(stored);
            assertThat(store.health().up()).isTrue();

            server.close();

            LegacyRecord other = LegacyRecord.fromLegacy("evt-outage-2", AuditKind.WORKFLOW,
                    T0.plusSeconds(1), AuditFixtures.valid(AuditKind.WORKFLOW));
            List<ThrowingCallable> calls = List.of(
                    () -> store.put(other),
                    () -> store.find(AuditKind.WORKFLOW, stored.id()),
                    () -> store.find(AuditKind.WORKFLOW, other.id()),
                    () -> store.remove(AuditKind.WORKFLOW, other.id()),
                    () -> store.scan(AuditKind.WORKFLOW, Optional.empty(), 10),
                    () -> store.count(AuditKind.WORKFLOW));
            for (ThrowingCallable call : calls) {
                assertThatThrownBy(call).isInstanceOf(LegacyStoreUnavailableException.class)
                        .hasMessageStartingWith("legacy store: PostgreSQL unavailable while ");
            }
            assertThat(store.health().up()).isFalse();
            assertThat(store.health().detail()).startsWith("table audit_events in " + config.url() + ": SQLSTATE ");

            server.restart();

            // The pool reconnects on its own, with a back-off of a few seconds at most; nothing restarts the store.
            await().atMost(Duration.ofSeconds(60)).until(() -> store.health().up());
            assertThat(store.find(AuditKind.WORKFLOW, stored.id()).orElseThrow().sameContentAs(stored)).isTrue();
            assertThat(store.put(other)).isEqualTo(LegacyStore.PutOutcome.CREATED);
            assertThat(store.scan(AuditKind.WORKFLOW, Optional.empty(), 10).records()).extracting(LegacyRecord::legacyId)
                    .containsExactly("evt-outage-1", "evt-outage-2");
            assertThat(store.remove(AuditKind.WORKFLOW, other.id())).isTrue();
            assertThat(store.count(AuditKind.WORKFLOW)).isEqualTo(1);
        }
    }
}
