package io.datastorage.server;

import io.datastorage.core.migration.LegacyRecord;
import io.datastorage.core.store.RecordStore;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.datastorage.server.SyncRecords.VALIDATE;
import static io.datastorage.server.SyncRecords.examples;
import static io.datastorage.server.SyncRecords.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The sync validation with the legacy store in a second, real PostgreSQL ({@code legacy.type=postgres},
 * {@link LegacyPostgres}), in {@code DUAL_WRITE_NEW_PRIMARY} (PostgreSQL is the primary), and the
 * issue's fault test 10 scaled for CI on it.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class MigrationValidationPostgresLegacyTest {
    private static final Logger log = LoggerFactory.getLogger(MigrationValidationPostgresLegacyTest.class);

    static EmbeddedPostgresServer legacy;
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacy = LegacyPostgres.start(dataDir);
        service = RunningService.start(dataDir, LegacyPostgres.serviceOptions(legacy, dataDir, "DUAL_WRITE_NEW_PRIMARY",
                // the records put directly on PostgreSQL are left with their embedding pending: no model runs here
                "--datastorage.embedding.repair-interval=1h"));
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (legacy != null) {
            legacy.close();
        }
    }

    static JsonNode validate(String query) {
        HttpResponse<String> response = service.send(HttpRequest.newBuilder(service.api(VALIDATE + query))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response.body());
    }

    /**
     * The fault test 10, scaled for CI: 20,000 records on both stores (the bench,
     * {@code ./bench/run.sh migration}, runs the full 1,000,000), one row of the legacy table updated
     * in place and another deleted. The validator reports exactly those two; the repair puts the
     * deleted one back from the primary (PostgreSQL) and leaves the updated one reported, as its rule
     * says: a record held with other content is never overwritten.
     */
    @Test
    void amongTwentyThousandRecordsOneUpdatedRowAndOneDeletedRowAreExactlyTheOnesReported() throws Exception {
        List<LegacyRecord> records = SyncRecords.records("fault10-pg", 20_000);
        SyncRecords.putOnLegacy(service, records);
        SyncRecords.putOnNew(service, records);

        JsonNode consistent = validate("");

        assertThat(consistent.path("consistent").asBoolean()).as(consistent.toString()).isTrue();
        assertThat(consistent.path("checked").asLong()).isEqualTo(20_000);
        log.info("Validated {} records in {} ms: {} records/s", consistent.path("checked").asLong(),
                consistent.path("durationMillis").asLong(),
                consistent.path("checked").asLong() * 1000 / Math.max(1, consistent.path("durationMillis").asLong()));

        LegacyRecord updated = records.get(4_321);
        LegacyRecord deleted = records.get(17_003);
        try (Connection c = DriverManager.getConnection(LegacyPostgres.url(legacy), legacy.user(), null)) {
            try (PreparedStatement ps = c.prepareStatement("UPDATE legacy.audit_events SET payload = "
                    + "jsonb_set(payload, '{name}', '\"updated-in-place\"') WHERE event_id = ?")) {
                ps.setString(1, updated.id().toString());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM legacy.audit_events WHERE event_id = ?")) {
                ps.setString(1, deleted.id().toString());
                assertThat(ps.executeUpdate()).isEqualTo(1);
            }
        }

        JsonNode found = validate("");

        assertThat(examples(found, "differing")).containsExactly(updated.id().toString());
        assertThat(examples(found, "missingInLegacy")).containsExactly(deleted.id().toString());
        assertThat(found.path("missingInNew").asLong()).isZero();
        assertThat(found.path("checked").asLong()).isEqualTo(20_000);

        JsonNode repair = validate("?repair=true");

        assertThat(repair.path("repaired").asLong()).isEqualTo(1);
        assertThat(examples(repair, "differing")).containsExactly(updated.id().toString());

        JsonNode after = validate("");

        assertThat(after.path("missingInNew").asLong() + after.path("missingInLegacy").asLong()).isZero();
        assertThat(examples(after, "differing")).containsExactly(updated.id().toString());
        assertThat(after.path("consistent").asBoolean()).isFalse();
        assertThat(service.context().getBean(RecordStore.class).find(updated.kind(), updated.id())).hasValueSatisfying(
                record -> assertThat(record.document().get("name")).as("never overwritten").isEqualTo("fault10-pg-4321"));
    }
}
