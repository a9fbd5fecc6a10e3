package io.datastorage.server;

import io.datastorage.server.config.DatabaseServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Fault test 9 of the migration: clock skew. Two replicas (two application contexts in this JVM,
 * each with its own lease holder id) share PostgreSQL and a JSON-files legacy store; the second's
 * clock runs {@link #SKEW} ahead (its {@link Clock} bean, replaced by a test configuration). Clients
 * write through both while the phase is walked through both ({@code LEGACY_ONLY → … → NEW_ONLY →
 * … → DUAL_WRITE_LEGACY_PRIMARY}), in async mode so every secondary write goes through the queue
 * job, which either replica may run. Once the queue has drained, every acknowledged record is on
 * exactly the stores of the phase it was answered under, once on each (no row or file twice), and
 * nothing unacknowledged is stored.
 */
class MigrationClockSkewTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Duration SKEW = Duration.ofMinutes(5);
    private static final int WRITERS_PER_REPLICA = 8;
    private static final int ACKNOWLEDGED_PER_PHASE = 30;
    private static final Pattern ROUTE = Pattern.compile("([A-Z_]+); version=(\\d+)");
    private static final List<String> WALK = List.of("DUAL_WRITE_LEGACY_PRIMARY", "DUAL_WRITE_NEW_PRIMARY", "NEW_ONLY",
            "DUAL_WRITE_NEW_PRIMARY", "DUAL_WRITE_LEGACY_PRIMARY");

    static RunningService onTime;
    static RunningService ahead;
    static Path legacyDir;

    /** The second replica's clock: {@link #SKEW} ahead of the system's. Test sources only. */
    static class SkewedClockConfiguration {
        @Bean
        @Primary
        Clock skewedClock() {
            return Clock.offset(Clock.systemUTC(), SKEW);
        }
    }

    @BeforeAll
    static void start() throws IOException {
        legacyDir = Files.createDirectory(RunningService.newDataDir().resolve("legacy"));
        String[] migration = {"--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.migration.secondary=queue",
                "--datastorage.migration.secondary-mode=async"};
        onTime = RunningService.start(RunningService.newDataDir(), migration);
        DatabaseServer database = onTime.context().getBean(DatabaseServer.class);
        List<String> second = new ArrayList<>(List.of(migration));
        second.addAll(List.of("--datastorage.db.url=" + database.jdbcUrl(), "--datastorage.db.user=" + database.user(),
                "--datastorage.db.password=" + (database.password() == null ? "" : database.password())));
        ahead = RunningService.start(new Class<?>[]{DatastorageApplication.class,
                        TwoReplicasTest.SecondHolderConfiguration.class, SkewedClockConfiguration.class},
                RunningService.newDataDir(), second.toArray(String[]::new));
    }

    @AfterAll
    static void stop() {
        if (ahead != null) {
            ahead.close();
        }
        if (onTime != null) {
            onTime.close(); // last: its PostgreSQL serves both
        }
    }

    record Acknowledged(String name, String phase, long version) {
    }

    @Test
    void withOneReplicaFiveMinutesAheadEveryAcknowledgedRecordIsOnceOnEachStoreItsPhaseNames() throws Exception {
        assertThat(Duration.between(onTime.context().getBean(Clock.class).instant(),
                ahead.context().getBean(Clock.class).instant())).as("the second replica's clock")
                .isGreaterThanOrEqualTo(SKEW);
        Map<UUID, Acknowledged> acknowledged = new ConcurrentHashMap<>();
        Map<Long, AtomicInteger> perVersion = new ConcurrentHashMap<>();
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sequence = new AtomicInteger();
        List<RunningService> replicas = List.of(onTime, ahead);

        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RunningService replica : replicas) {
                for (int w = 0; w < WRITERS_PER_REPLICA; w++) {
                    writers.submit(() -> {
                        while (!stop.get()) {
                            String name = "skew-" + sequence.incrementAndGet();
                            HttpResponse<String> answer = replica.postJson("/api/v1/audit/workflow",
                                    RunningService.validRecord("workflow", name));
                            if (answer.statusCode() == 201) {
                                Matcher route = ROUTE.matcher(answer.headers().firstValue("Migration-Phase").orElse(""));
                                if (!route.matches()) {
                                    unexpected.add("201 without a Migration-Phase header: " + answer.headers().map());
                                    continue;
                                }
                                long version = Long.parseLong(route.group(2));
                                acknowledged.put(UUID.fromString(JSON.readTree(answer.body()).path("id").asString()),
                                        new Acknowledged(name, route.group(1), version));
                                perVersion.computeIfAbsent(version, v -> new AtomicInteger()).incrementAndGet();
                            } else if (answer.statusCode() != 503 || !JSON.readTree(answer.body()).path("detail")
                                    .asString().contains("nothing was stored")) {
                                unexpected.add(answer.statusCode() + " " + answer.body());
                            }
                        }
                    });
                }
            }
            try {
                long version = status(onTime).path("version").asLong();
                for (int i = 0; i < WALK.size(); i++) {
                    long current = version;
                    await().atMost(Duration.ofSeconds(120)).until(() -> !unexpected.isEmpty()
                            || perVersion.getOrDefault(current, new AtomicInteger()).get() >= ACKNOWLEDGED_PER_PHASE);
                    RunningService mover = replicas.get(i % 2);
                    HttpResponse<String> moved = mover.send(HttpRequest.newBuilder(
                                    mover.api("/api/v1/admin/migration/phase"))
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"phase\":\"" + WALK.get(i)
                                    + "\",\"expectedVersion\":" + version + ",\"force\":true,\"reason\":\"clock skew test: moves under load, not a test of the gates\"}")));
                    assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
                    version = JSON.readTree(moved.body()).path("version").asLong();
                }
                long last = version;
                await().atMost(Duration.ofSeconds(120)).until(() -> !unexpected.isEmpty()
                        || perVersion.getOrDefault(last, new AtomicInteger()).get() >= ACKNOWLEDGED_PER_PHASE);
            } finally {
                stop.set(true);
            }
        }
        assertThat(unexpected).as("answers other than 201 and 503 nothing-was-stored").isEmpty();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> MigrationSides.queueDepth(onTime) == 0);

        Map<UUID, Integer> legacyCopies = MigrationSides.legacyFileCopies(legacyDir);
        Map<UUID, Integer> newCopies = newRowCopies();
        System.out.printf("CLOCK-SKEW: acknowledged=%d perVersion=%s legacyRecords=%d newRecords=%d%n",
                acknowledged.size(), perVersion, legacyCopies.size(), newCopies.size());
        for (long v = 1; v <= WALK.size() + 1; v++) {
            assertThat(perVersion.getOrDefault(v, new AtomicInteger()).get()).as("acknowledged under version " + v)
                    .isGreaterThanOrEqualTo(ACKNOWLEDGED_PER_PHASE);
        }
        assertThat(legacyCopies.values()).as("files per record on the legacy store").containsOnly(1);
        assertThat(newCopies.values()).as("rows per record in PostgreSQL").containsOnly(1);
        acknowledged.forEach((id, ack) -> {
            assertThat(legacyCopies.containsKey(id)).as("%s (%s) answered under %s v%d: on the legacy store",
                    id, ack.name(), ack.phase(), ack.version()).isEqualTo(!ack.phase().equals("NEW_ONLY"));
            assertThat(newCopies.containsKey(id)).as("%s (%s) answered under %s v%d: in PostgreSQL",
                    id, ack.name(), ack.phase(), ack.version()).isEqualTo(!ack.phase().equals("LEGACY_ONLY"));
        });
        assertThat(acknowledged.keySet()).as("stored but never acknowledged")
                .containsAll(legacyCopies.keySet()).containsAll(newCopies.keySet());
    }

    static JsonNode status(RunningService replica) {
        return JSON.readTree(replica.get("/api/v1/admin/migration").body());
    }

    static Map<UUID, Integer> newRowCopies() throws SQLException {
        DatabaseServer database = onTime.context().getBean(DatabaseServer.class);
        Map<UUID, Integer> copies = new HashMap<>();
        try (Connection c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, count(*) FROM audit_records GROUP BY id")) {
            while (rs.next()) {
                copies.put(rs.getObject(1, UUID.class), rs.getInt(2));
            }
        }
        return copies;
    }
}
