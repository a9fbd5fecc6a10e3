package io.datastorage.legacy.postgres;

import io.datastorage.core.audit.AuditKind;
import io.datastorage.core.config.InvalidConfigException;
import io.datastorage.core.error.Component;
import io.datastorage.core.migration.LegacyIds;
import io.datastorage.core.migration.LegacyPage;
import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.migration.LegacyRecordRefusedException;
import io.datastorage.core.migration.LegacyStore;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A legacy table of the older kind: integer ids from a sequence, a column per field, one kind for
 * every row (the mapping says which), a timestamp without time zone.
 */
class PostgresLegacyColumnsTest {
    private static String url;
    @TempDir
    static Path temp;
    private static Path mapping;

    @BeforeAll
    static void database() throws IOException {
        url = LegacyTestDatabase.freshDatabase();
        LegacyTestDatabase.execute(url, "CREATE TABLE remediation_log (id bigserial, logged_at timestamp NOT NULL, "
                + "corr text, name text, ns text, phase text, created text, message text, attempts int, "
                + "score numeric, dry_run bool, labels jsonb)");
        mapping = Files.writeString(temp.resolve("columns.properties"), """
                table=remediation_log
                id-column=id
                timestamp-column=logged_at
                kind=remediation
                field.correlationId=corr
                field.name=name
                field.namespace=ns
                field.phase=phase
                field.createdAt=created
                field.message=message
                field.attempts=attempts
                field.score=score
                field.dryRun=dry_run
                field.labels=labels
                """);
    }

    @BeforeEach
    void rows() {
        LegacyTestDatabase.execute(url, "TRUNCATE remediation_log",
                "INSERT INTO remediation_log VALUES (1001, '2024-01-31 23:59:59.999999', 'c-1', 'rr-1', 'prod', 'Completed', "
                        + "'2024-01-31T23:59:59.999999Z', 'OOM ''killed''', 3, 0.950, true, '{\"team\": \"sre\"}')",
                "INSERT INTO remediation_log VALUES (1002, '2024-02-01 00:00:00', 'c-2', 'rr-2', 'prod', 'Failed', "
                        + "'2024-02-01T00:00:00Z', null, null, null, null, null)");
    }

    private static PostgresLegacyStore open() {
        return new LegacyPostgresConfig(url, LegacyTestDatabase.user(), "secret", mapping).open();
    }

    @Test
    void integerIdsBecomeNameBasedIdsAndColumnsBecomeTheDocument() {
        try (PostgresLegacyStore store = open()) {
            LegacyPage page = store.scan(AuditKind.REMEDIATION, Optional.empty(), 10);

            assertThat(page.records()).extracting(LegacyRecord::legacyId).containsExactly("1001", "1002");
            LegacyRecord first = page.records().getFirst();
            assertThat(first.id()).isEqualTo(LegacyIds.toUuid("1001"));
            assertThat(first.createdAt()).isEqualTo(Instant.parse("2024-01-31T23:59:59.999999Z"));
            Map<String, Object> expected = new LinkedHashMap<>();
            expected.put("correlationId", "c-1");
            expected.put("name", "rr-1");
            expected.put("namespace", "prod");
            expected.put("phase", "Completed");
            expected.put("createdAt", "2024-01-31T23:59:59.999999Z");
            expected.put("message", "OOM 'killed'");
            expected.put("attempts", 3);
            expected.put("score", new BigDecimal("0.950"));
            expected.put("dryRun", true);
            expected.put("labels", Map.of("team", "sre"));
            assertThat(first.document()).isEqualTo(expected);
            assertThat(page.records().get(1).document()).doesNotContainKeys("message", "attempts", "labels");
            assertThat(store.count(AuditKind.REMEDIATION)).isEqualTo(2);
            assertThat(store.count(AuditKind.WORKFLOW)).isZero();
            assertThat(store.find(AuditKind.REMEDIATION, LegacyIds.toUuid("1002"))).isPresent();
        }
    }

    @Test
    void aRecordWithAnIntegerLegacyIdIsWrittenBackIntoTheColumnsAndReadAgainUnchanged() {
        try (PostgresLegacyStore store = open()) {
            LegacyRecord original = store.find(AuditKind.REMEDIATION, LegacyIds.toUuid("1001")).orElseThrow();
            LegacyTestDatabase.execute(url, "DELETE FROM remediation_log WHERE id = 1001");

            assertThat(store.put(original)).isEqualTo(LegacyStore.PutOutcome.CREATED);
            assertThat(store.put(original)).isEqualTo(LegacyStore.PutOutcome.UNCHANGED);
            assertThat(store.find(AuditKind.REMEDIATION, original.id()).orElseThrow().document())
                    .isEqualTo(original.document());
        }
    }

    @Test
    void putsTheIntegerIdColumnCannotHoldOrTheMappingCannotKeepAreRefusedPermanently() {
        try (PostgresLegacyStore store = open()) {
            LegacyRecord read = store.find(AuditKind.REMEDIATION, LegacyIds.toUuid("1002")).orElseThrow();
            LegacyRecord uuidKeyed = new LegacyRecord(UUID.randomUUID(), AuditKind.REMEDIATION, read.createdAt(),
                    read.document(), null);
            Map<String, Object> extra = new LinkedHashMap<>(read.document());
            extra.put("rootCause", "memory leak");
            LegacyRecord unmapped = LegacyRecord.fromLegacy("1003", AuditKind.REMEDIATION, read.createdAt(), extra);
            Map<String, Object> wrongType = new LinkedHashMap<>(read.document());
            wrongType.put("attempts", "three");
            LegacyRecord mistyped = LegacyRecord.fromLegacy("1004", AuditKind.REMEDIATION, read.createdAt(), wrongType);
            LegacyRecord otherKind = LegacyRecord.fromLegacy("1005", AuditKind.WORKFLOW, read.createdAt(), read.document());

            for (LegacyRecord refused : List.of(uuidKeyed, unmapped, mistyped, otherKind)) {
                // permanent and the layout's doing, never a 500: the service answers it 422 legacy-store-refused
                assertThatThrownBy(() -> store.put(refused)).isInstanceOf(LegacyRecordRefusedException.class)
                        .hasMessageContaining(refused.id().toString())
                        .satisfies(e -> assertThat(((LegacyRecordRefusedException) e).component())
                                .isEqualTo(Component.LEGACY_STORE));
            }
            assertThat(store.count(AuditKind.REMEDIATION)).isEqualTo(2);
        }
    }

    @Test
    void aRowOfTheOneKindIsRemovedByItsIntegerKeysNameBasedIdAndNoOtherKindRemovesIt() {
        try (PostgresLegacyStore fresh = open()) { // nothing remembered: the key is looked up
            UUID id = LegacyIds.toUuid("1001");

            assertThat(fresh.remove(AuditKind.WORKFLOW, id)).isFalse();
            assertThat(fresh.remove(AuditKind.REMEDIATION, UUID.randomUUID())).isFalse();
            assertThat(fresh.remove(AuditKind.REMEDIATION, id)).isTrue();
            assertThat(fresh.remove(AuditKind.REMEDIATION, id)).isFalse();

            assertThat(fresh.find(AuditKind.REMEDIATION, id)).isEmpty();
            assertThat(fresh.count(AuditKind.REMEDIATION)).isEqualTo(1);
            assertThat(fresh.find(AuditKind.REMEDIATION, LegacyIds.toUuid("1002"))).isPresent();
        }
    }

    @Test
    void aMappedColumnTheTableLacksIsRefusedNamingItsKey() throws IOException {
        Path bad = Files.writeString(temp.resolve("missing-column.properties"),
                Files.readString(mapping).replace("field.score=score", "field.score=scores"));

        assertThatThrownBy(() -> new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, bad).open())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("field.score must name a column of the table (it has: id, logged_at, corr,")
                .hasMessageEndingWith("was 'scores'");
    }

    @Test
    void aTableTheUserCannotReadIsRefusedNamingTheTableKey() throws IOException {
        Path bad = Files.writeString(temp.resolve("missing-table.properties"),
                Files.readString(mapping).replace("table=remediation_log", "table=remediations"));

        assertThatThrownBy(() -> new LegacyPostgresConfig(url, LegacyTestDatabase.user(), null, bad).open())
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("table must name a table user")
                .hasMessageEndingWith("was 'remediations'");
    }

    @Test
    void theConfigNeverPrintsThePassword() {
        assertThat(new LegacyPostgresConfig(url, "legacy", "secret", mapping).toString())
                .doesNotContain("secret").contains("<redacted>");
    }
}
