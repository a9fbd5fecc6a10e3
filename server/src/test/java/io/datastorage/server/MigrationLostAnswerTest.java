package io.datastorage.server;

import io.datastorage.store.postgres.EmbeddedPostgresServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault test 3 of the migration: a secondary write that was applied but whose answer was lost.
 * The secondary's commit is held back by a deferred constraint trigger that sleeps
 * ({@link #HELD}) longer than {@code secondary-timeout} ({@link #TIMEOUT}), only for records named
 * {@code lost-answer-…}: the router gives up on the call (outcome unknown), answers 201 and leaves
 * the write to the queue, while the store commits the record after all. Once the queue has drained,
 * each such record is on both stores exactly once, with the same document: the queue's replay found
 * the copy the lost answer had made and wrote no second one. Both directions, on real servers:
 * the legacy store (a table in a second PostgreSQL, with no unique key of its own) as the secondary
 * of {@code DUAL_WRITE_NEW_PRIMARY}, then the service's PostgreSQL as the secondary of
 * {@code DUAL_WRITE_LEGACY_PRIMARY}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MigrationLostAnswerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    /** How long (s) the trigger holds each slow commit: five timeouts, so the answer is surely lost. */
    private static final int HELD = 5;
    private static final int LOST = 6;
    private static final int PLAIN = 20;
    private static final Pattern QUEUED = Pattern.compile(
            "datastorage_migration_writes_total\\{[^}]*outcome=\"queued\"[^}]*store=\"(\\w+)\"[^}]*} ([0-9.]+)");

    static EmbeddedPostgresServer legacy;
    static RunningService service;

    @BeforeAll
    static void start() throws Exception {
        Path dataDir = RunningService.newDataDir();
        legacy = LegacyPostgres.start(dataDir);
        execute(LegacyPostgres.url(legacy), legacy.user(), slowCommitTrigger("legacy.audit_events", "payload"));
        service = RunningService.start(dataDir, LegacyPostgres.serviceOptions(legacy, dataDir, "DUAL_WRITE_NEW_PRIMARY",
                "--datastorage.migration.secondary=queue", "--datastorage.migration.secondary-mode=sync",
                "--datastorage.migration.secondary-timeout=" + TIMEOUT.toMillis() + "ms"));
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

    /** A deferred constraint trigger that sleeps at the commit of a row whose document is named lost-answer-…. */
    static String[] slowCommitTrigger(String table, String documentColumn) {
        String function = table.contains(".") ? table.substring(0, table.indexOf('.') + 1) + "slow_commit" : "slow_commit";
        return new String[]{
                "CREATE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep("
                        + HELD + "); RETURN NULL; END $$",
                "CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON " + table
                        + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW." + documentColumn
                        + "->>'name' LIKE 'lost-answer-%') EXECUTE FUNCTION " + function + "()"};
    }

    static void execute(String url, String user, String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    /** How many rows hold each id, in the table, by its id column. */
    static Map<String, Integer> copies(String url, String user, String query) throws SQLException {
        Map<String, Integer> copies = new HashMap<>();
        try (Connection c = DriverManager.getConnection(url, user, null); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery(query)) {
            while (rs.next()) {
                copies.put(rs.getString(1), rs.getInt(2));
            }
        }
        return copies;
    }

    static long queuedMetric(String store) {
        Matcher m = QUEUED.matcher(service.get(service.management("/metrics")).body());
        while (m.find()) {
            if (m.group(1).equals(store)) {
                return (long) Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no queued-writes metric for " + store);
    }

    static long queueDepth() {
        return MigrationSides.queueDepth(service);
    }

    /**
     * Writes {@link #LOST} slow and {@link #PLAIN} ordinary records at once, checks each was answered
     * 201 and that the slow ones were left to the queue (their secondary's answer lost), waits for
     * the queue to drain and checks both stores hold each record exactly once.
     *
     * @return the acknowledged ids, by name
     */
    static Map<String, UUID> writeThroughLostAnswers(String label, String secondary, String secondaryUrl,
                                                     String secondaryUser) throws Exception {
        long queuedBefore = queuedMetric(secondary);
        Map<String, UUID> acknowledged = new HashMap<>();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            Map<String, Future<HttpResponse<String>>> answers = new HashMap<>();
            for (int i = 0; i < LOST; i++) {
                String name = "lost-answer-" + label + "-" + i;
                answers.put(name, writers.submit(() -> service.postJson("/api/v1/audit/workflow",
                        RunningService.validRecord("workflow", name))));
            }
            for (int i = 0; i < PLAIN; i++) {
                String name = "answered-" + label + "-" + i;
                answers.put(name, writers.submit(() -> service.postJson("/api/v1/audit/workflow",
                        RunningService.validRecord("workflow", name))));
            }
            for (Map.Entry<String, Future<HttpResponse<String>>> answer : answers.entrySet()) {
                HttpResponse<String> response = answer.getValue().get();
                assertThat(response.statusCode()).as("%s: %s", answer.getKey(), response.body()).isEqualTo(201);
                acknowledged.put(answer.getKey(), UUID.fromString(JSON.readTree(response.body()).path("id").asString()));
            }
        }
        // the slow ones' secondary did not answer in time: each was left to the queue, while the secondary
        // still runs their commits (the answers are lost, the writes are not)
        assertThat(queuedMetric(secondary) - queuedBefore).as("writes left to the queue").isGreaterThanOrEqualTo(LOST);
        assertThat(copies(secondaryUrl, secondaryUser, "SELECT query, count(*) FROM pg_stat_activity "
                + "WHERE wait_event = 'PgSleep' AND query ILIKE 'commit%' GROUP BY query"))
                .as("commits the secondary is still running after the answers").isNotEmpty();

        long drainStart = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).until(() -> queueDepth() == 0);
        System.out.printf("LOST-ANSWER %s: acknowledged=%d lostAnswers=%d queueDrainSeconds=%.1f%n", label,
                acknowledged.size(), LOST, (System.nanoTime() - drainStart) / 1e9);
        acknowledged.values().forEach(id -> MigrationSecondaryOutageTest.assertBothHoldTheSameDocument(service, id));
        return acknowledged;
    }

    @Test
    @Order(1)
    void aLegacyWriteAppliedButUnansweredWithinTheTimeoutLeavesExactlyOneCopyAfterTheQueueConverges() throws Exception {
        Map<String, UUID> acknowledged = writeThroughLostAnswers("legacy", "legacy", LegacyPostgres.url(legacy), legacy.user());

        Map<String, Integer> onLegacy = copies(LegacyPostgres.url(legacy), legacy.user(),
                "SELECT event_id, count(*) FROM legacy.audit_events GROUP BY event_id");
        assertThat(onLegacy).as("rows per event_id on the legacy table").hasSize(acknowledged.size());
        assertThat(onLegacy.values()).as("copies of each record on the legacy table").containsOnly(1);
        Map<String, Integer> onNew = copies(newUrl(), newUser(), "SELECT id::text, count(*) FROM audit_records GROUP BY id");
        assertThat(onNew.values()).as("copies of each record in PostgreSQL").containsOnly(1);
        assertThat(onNew.keySet()).containsExactlyInAnyOrderElementsOf(
                acknowledged.values().stream().map(UUID::toString).toList());
    }

    @Test
    @Order(2)
    void aNewStoreWriteAppliedButUnansweredWithinTheTimeoutLeavesExactlyOneCopyAfterTheQueueConverges() throws Exception {
        long version = JSON.readTree(service.get("/api/v1/admin/migration").body()).path("version").asLong();
        HttpResponse<String> moved = service.send(HttpRequest.newBuilder(service.api("/api/v1/admin/migration/phase"))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
                        "{\"phase\":\"DUAL_WRITE_LEGACY_PRIMARY\",\"expectedVersion\":" + version
                                + ",\"force\":true,\"reason\":\"the new store as the secondary (set-up, not a test of the gates)\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        execute(LegacyPostgres.url(legacy), legacy.user(), "DROP TRIGGER slow_commit ON legacy.audit_events");
        // the trigger stays: this PostgreSQL is this test's own, and dropping it while the service writes can deadlock
        execute(newUrl(), newUser(), slowCommitTrigger("audit_records", "document"));
        Map<String, UUID> acknowledged = writeThroughLostAnswers("new", "new", newUrl(), newUser());

        Map<String, Integer> onNew = copies(newUrl(), newUser(), "SELECT id::text, count(*) FROM audit_records "
                + "WHERE name LIKE '%-new-%' GROUP BY id");
        assertThat(onNew).as("rows per id in PostgreSQL").hasSize(acknowledged.size());
        assertThat(onNew.values()).as("copies of each record in PostgreSQL").containsOnly(1);
        Map<String, Integer> onLegacy = copies(LegacyPostgres.url(legacy), legacy.user(),
                "SELECT event_id, count(*) FROM legacy.audit_events WHERE payload->>'name' LIKE '%-new-%' GROUP BY event_id");
        assertThat(onLegacy).hasSize(acknowledged.size());
        assertThat(onLegacy.values()).as("copies of each record on the legacy table").containsOnly(1);
    }

    static String newUrl() {
        return service.context().getBean(com.zaxxer.hikari.HikariDataSource.class).getJdbcUrl();
    }

    static String newUser() {
        return service.context().getBean(com.zaxxer.hikari.HikariDataSource.class).getUsername();
    }
}
