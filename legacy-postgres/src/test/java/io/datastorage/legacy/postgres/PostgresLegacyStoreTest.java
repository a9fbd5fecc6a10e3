package io.datastorage.legacy.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.migration.LegacyIds;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.LegacyStoreContract;
import io.datastorage.core.migration.LegacyStoreUnavailableException;
import io.datastorage.core.store.UnreadableRecordException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract on a legacy-looking table in a second, real PostgreSQL: text ids, no primary key
 * (puts are idempotent without one), a kind column and a jsonb document.
 */
class PostgresLegacyStoreTest extends LegacyStoreContract {
    private static String url;
    @TempDir
    static Path temp;
    private static Path mapping;

    @BeforeAll
    static void database() throws IOException {
        url = LegacyTestDatabase.freshDatabase();
        LegacyTestDatabase.execute(url, "CREATE SCHEMA legacy",
                "CREATE TABLE legacy.audit_events (event_id text NOT NULL, created_at timestamptz NOT NULL, "
                        + "event_type varchar(32) NOT NULL, payload jsonb, note text)");
        mapping = Files.writeString(temp.resolve("mapping.properties"), """
                table=legacy.audit_events
                id-column=event_id
                timestamp-column=created_at
                kind-column=event_type
                document-column=payload
                """);
    }

    @Override
    protected LegacyStore newStore() {
        LegacyTestDatabase.execute(url, "TRUNCATE legacy.audit_events");
        return config().open();
    }

    /** A row whose document is not a JSON object. */
    @Override
    protected void damage(LegacyRecord record) {
        LegacyTestDatabase.execute(url, "UPDATE legacy.audit_events SET payload = '[1]' WHERE event_id = '"
                + record.storageKey() + "'");
    }

    private static LegacyPostgresConfig config() {
        return new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, mapping);
    }

    @Test
    void rowsWrittenByTheLegacyServiceAreReadWithNameBasedIdsAndTheirLegacyIds() {
        LegacyTestDatabase.execute(url, "TRUNCATE legacy.audit_events",
                "INSERT INTO legacy.audit_events VALUES ('evt-0042', '2024-03-01 10:00:00.5+01', 'workflow', "
                        + "'{\"name\": \"restart\", \"amount\": 12.50, \"createdAt\": \"2024-03-01T09:00:00.5Z\"}', null)",
                "INSERT INTO legacy.audit_events VALUES ('evt-0041', '2024-03-01 09:00:00.5Z', 'workflow', '{\"name\": \"older\"}', null)");

        try (PostgresLegacyStore fresh = config().open()) { // nothing remembered: the key is looked up
            LegacyRecord read = fresh.find(AuditKind.WORKFLOW, LegacyIds.toUuid("evt-0042")).orElseThrow();

            assertThat(read.legacyId()).isEqualTo("evt-0042");
            assertThat(read.id().version()).isEqualTo(5);
            assertThat(read.createdAt()).isEqualTo("2024-03-01T09:00:00.500Z");
            assertThat(read.document().get("amount")).isEqualTo(new java.math.BigDecimal("12.50"));
            assertThat(fresh.scan(AuditKind.WORKFLOW, Optional.empty(), 10).records())
                    .extracting(LegacyRecord::legacyId).containsExactly("evt-0041", "evt-0042");
            assertThat(fresh.find(AuditKind.REMEDIATION, read.id())).isEmpty();
        }
    }

    @Test
    void aDatabaseThatCannotBeReachedIsATransientFailureNamingTheLegacyStore() {
        LegacyPostgresConfig unreachable = new LegacyPostgresConfig("jdbc:postgresql://127.0.0.1:1/legacy",
                LegacyTestDatabase.user(), "secret", mapping);

        assertThatThrownBy(unreachable::open)
                .isInstanceOf(LegacyStoreUnavailableException.class)
                .hasMessageStartingWith("legacy store: PostgreSQL unavailable while checking table legacy.audit_events")
                .hasMessageNotContaining("secret");
    }

    @Test
    void damagedRowsAreReportedByFindLeftOutOfScansAndCounted() throws IOException {
        LegacyTestDatabase.execute(url, "DROP TABLE IF EXISTS legacy.damaged",
                "CREATE TABLE legacy.damaged (event_id text, created_at timestamptz, event_type text, payload text)",
                "INSERT INTO legacy.damaged VALUES ('d-1', '2024-01-01Z', 'workflow', '{\"name\": \"ok\"')",
                "INSERT INTO legacy.damaged VALUES ('d-2', null, 'workflow', '{}')",
                "INSERT INTO legacy.damaged VALUES ('d-3', '2024-01-02Z', 'workflow', '{\"name\": \"intact\"}')");
        Path damaged = Files.writeString(temp.resolve("damaged.properties"),
                Files.readString(mapping).replace("legacy.audit_events", "legacy.damaged"));

        try (PostgresLegacyStore store = new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, damaged).open()) {
            for (String key : List.of("d-1", "d-2")) {
                assertThatThrownBy(() -> store.find(AuditKind.WORKFLOW, LegacyIds.toUuid(key)))
                        .isInstanceOf(UnreadableRecordException.class)
                        .hasMessageContaining(LegacyIds.toUuid(key).toString());
            }
            LegacyPage first = store.scan(AuditKind.WORKFLOW, Optional.empty(), 1);
            assertThat(first.records()).as("the damaged row counts toward the page").isEmpty();
            assertThat(first.unreadable()).as("the damaged row in order, and the one no order can place")
                    .extracting(LegacyPage.Unreadable::key, LegacyPage.Unreadable::id)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("d-1", Optional.of(LegacyIds.toUuid("d-1"))),
                            org.assertj.core.groups.Tuple.tuple("d-2", Optional.of(LegacyIds.toUuid("d-2"))));
            assertThat(first.unreadable().get(1).reason()).isEqualTo("the timestamp column is null");
            LegacyPage rest = store.scan(AuditKind.WORKFLOW, first.next(), 10);
            assertThat(rest.records())
                    .extracting(LegacyRecord::legacyId).containsExactly("d-3");
            assertThat(rest.unreadable()).as("each is named once in a whole scan").isEmpty();
            assertThat(store.count(AuditKind.WORKFLOW)).isEqualTo(3);
        }
    }

    @Test
    void aRowWithoutAKeyIsNamedOnTheFirstPageRatherThanBreakingTheScan() throws IOException {
        LegacyTestDatabase.execute(url, "DROP TABLE IF EXISTS legacy.keyless",
                "CREATE TABLE legacy.keyless (event_id text, created_at timestamptz, event_type text, payload text)",
                "INSERT INTO legacy.keyless VALUES ('k-1', '2024-01-01Z', 'workflow', '{\"name\": \"a\"}')",
                "INSERT INTO legacy.keyless VALUES (null, '2024-01-01Z', 'workflow', '{\"name\": \"b\"}')",
                "INSERT INTO legacy.keyless VALUES ('k-3', '2024-01-02Z', 'workflow', '{\"name\": \"c\"}')");
        Path keyless = Files.writeString(temp.resolve("keyless.properties"),
                Files.readString(mapping).replace("legacy.audit_events", "legacy.keyless"));

        try (PostgresLegacyStore store = new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, keyless).open()) {
            LegacyPage first = store.scan(AuditKind.WORKFLOW, Optional.empty(), 1);
            LegacyPage second = store.scan(AuditKind.WORKFLOW, first.next(), 1);

            assertThat(first.records()).extracting(LegacyRecord::legacyId).containsExactly("k-1");
            assertThat(first.unreadable()).singleElement().satisfies(unreadable -> {
                assertThat(unreadable.id()).isEmpty();
                assertThat(unreadable.reason()).isEqualTo("the id column is null");
            });
            assertThat(second.records()).extracting(LegacyRecord::legacyId).containsExactly("k-3");
            assertThat(second.unreadable()).isEmpty();
        }
    }

    @Test
    void aRowOfAnUnknownKindIsLeftOutOfTheKindsScansAndNamedOnceAsUnreadable() {
        LegacyTestDatabase.execute(url, "TRUNCATE legacy.audit_events",
                "INSERT INTO legacy.audit_events VALUES ('a-1', now(), 'billing', '{}', null)");

        try (PostgresLegacyStore store = config().open()) {
            for (AuditKind kind : AuditKind.values()) {
                assertThat(store.scan(kind, Optional.empty(), 10).records()).isEmpty();
                assertThat(store.count(kind)).isZero();
            }
            assertThat(store.scan(AuditKind.values()[0], Optional.empty(), 10).unreadable())
                    .as("named once, on the first page of the first kind's scan")
                    .extracting(LegacyPage.Unreadable::key).containsExactly("a-1");
            assertThat(store.scan(AuditKind.values()[1], Optional.empty(), 10).unreadable()).isEmpty();
        }
    }

    @Test
    void missesOnNameBasedIdsShareOnePassOverTheKeysAndTheStoresOwnPutsAreFoundAtOnce() {
        LegacyTestDatabase.execute(url, "TRUNCATE legacy.audit_events",
                "INSERT INTO legacy.audit_events VALUES ('evt-1', '2024-03-01Z', 'workflow', '{\"name\": \"a\"}', null)",
                "INSERT INTO legacy.audit_events VALUES ('evt-2', '2024-03-02Z', 'workflow', '{\"name\": \"b\"}', null)");

        try (PostgresLegacyStore fresh = config().open()) {
            assertThat(fresh.find(AuditKind.WORKFLOW, LegacyIds.toUuid("absent-1"))).isEmpty();
            assertThat(fresh.find(AuditKind.WORKFLOW, LegacyIds.toUuid("absent-2"))).isEmpty();
            assertThat(fresh.remove(AuditKind.WORKFLOW, LegacyIds.toUuid("absent-3"))).isFalse();
            assertThat(fresh.find(AuditKind.WORKFLOW, LegacyIds.toUuid("evt-2"))).isPresent();
            assertThat(fresh.keyPasses()).as("one pass answered every miss").isEqualTo(1);

            LegacyRecord put = LegacyRecord.fromLegacy("evt-3", AuditKind.WORKFLOW, T0, record(AuditKind.WORKFLOW, T0).document());
            fresh.put(put);
            assertThat(fresh.find(AuditKind.WORKFLOW, put.id())).isPresent();
            assertThat(fresh.remove(AuditKind.WORKFLOW, put.id())).isTrue();
            assertThat(fresh.keyPasses()).isEqualTo(1);
        }
    }
}
