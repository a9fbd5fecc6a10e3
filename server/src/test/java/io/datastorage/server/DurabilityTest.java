package io.datastorage.server;

import com.zaxxer.hikari.HikariDataSource;
import io.datastorage.store.postgres.EmbeddedPostgresServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static io.datastorage.server.RunningService.KINDS;
import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A 201 means the record is durably committed (DESIGN.md, promise 1), so the database must not
 * trade durability for speed. Regression tests for issue 12: the embedded server ran with the
 * defaults of the library that ships it ({@code fsync} and {@code synchronous_commit} off), and a
 * killed server lost acknowledged records; nothing checked an external server either.
 */
class DurabilityTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BOUND = Duration.ofSeconds(90);

    @Test
    void theEmbeddedServerRunsWithDurableSettings() {
        RunningService service = RunningService.shared();
        JdbcTemplate db = new JdbcTemplate(service.context().getBean(HikariDataSource.class));
        EmbeddedPostgresServer.DURABLE_SETTINGS.forEach((setting, value) ->
                assertThat(db.queryForObject("SHOW " + setting, String.class)).as(setting).isEqualTo(value));
        assertThat(db.queryForObject("SHOW data_checksums", String.class)).as("data_checksums").isEqualTo("on");
        assertThat(service.get(service.management("/metrics")).body()).contains("datastorage_db_durable{application=\"datastorage\"} 1.0");
    }

    @Test
    void anExternalServerThatCanLoseCommitsStopsStartUpNamingTheSettingsAndTheOptOut() throws IOException {
        // The library's defaults are exactly such a server: -F (fsync off) and synchronous_commit=off.
        try (EmbeddedPostgres external = EmbeddedPostgres.builder()
                .setDataDirectory(RunningService.newDataDir()).setCleanDataDirectory(true).start()) {
            assertThatThrownBy(() -> RunningService.start(RunningService.newDataDir(), urlOf(external)))
                    .rootCause()
                    .hasMessageContaining("datastorage.db.require-durable")
                    .hasMessageContaining("fsync=off (durable: on)")
                    .hasMessageContaining("synchronous_commit=off (durable: on, remote_apply, remote_write)")
                    .hasMessageContaining("DATASTORAGE_DB_REQUIRE_DURABLE=false");
        }
    }

    @Test
    void theOptOutStartsOnANonDurableServerAndSaysSoInAGauge() throws IOException {
        try (EmbeddedPostgres external = EmbeddedPostgres.builder()
                .setDataDirectory(RunningService.newDataDir()).setCleanDataDirectory(true).start();
             RunningService service = RunningService.start(RunningService.newDataDir(), urlOf(external),
                     "--datastorage.db.require-durable=false")) {
            assertThat(service.postJson("/api/v1/audit/workflow", validRecord("workflow", "not-durable")).statusCode())
                    .isEqualTo(201);
            assertThat(service.get(service.management("/metrics")).body())
                    .contains("datastorage_db_durable{application=\"datastorage\"} 0.0");
        }
    }

    /**
     * An external server stopped with {@code pg_ctl stop -m immediate} (SIGQUIT to the postmaster:
     * no checkpoint, recovery from the WAL at the next start) while clients write, then started
     * again: the service answers 503 meanwhile, becomes ready by itself, and every record it
     * acknowledged is there.
     */
    @Test
    void withAnExternalServerStoppedImmediatelyAndStartedAgainThePoolRecoversByItself() throws Exception {
        Path externalDir = RunningService.newDataDir();
        try (EmbeddedPostgresServer external = EmbeddedPostgresServer.start(externalDir, 0);
             RunningService service = RunningService.start(RunningService.newDataDir(),
                     "--datastorage.db.url=jdbc:postgresql://127.0.0.1:" + external.port() + "/postgres",
                     "--datastorage.db.pool-size=6", "--datastorage.db.connection-timeout=1s")) {
            Map<UUID, String> acknowledged = new ConcurrentHashMap<>();
            Queue<String> unexpected = new ConcurrentLinkedQueue<>();
            AtomicInteger unavailable = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            double secondsToReady;
            try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (int w = 0; w < 4; w++) {
                    int writer = w;
                    writers.submit(() -> keepWriting(service, writer, acknowledged, unexpected, unavailable, stop));
                }
                try {
                    await().atMost(BOUND).until(() -> acknowledged.size() >= 150 || !unexpected.isEmpty());
                    ProcessHandle postmaster = ProcessHandle.of(external.postmasterPid().orElseThrow()).orElseThrow();
                    new ProcessBuilder("kill", "-QUIT", String.valueOf(postmaster.pid())).inheritIO().start().waitFor();
                    postmaster.onExit().get(30, TimeUnit.SECONDS);
                    await().atMost(BOUND).until(() -> readiness(service) == 503);
                    await().atMost(BOUND).until(() -> unavailable.get() > 0 || !unexpected.isEmpty());
                    // Reads say the database is down, never that "nothing was stored".
                    Map.Entry<UUID, String> stored = acknowledged.entrySet().iterator().next();
                    for (HttpResponse<String> read : List.of(
                            service.get("/api/v1/audit/" + stored.getValue() + "/" + stored.getKey()),
                            service.get("/api/v1/audit?limit=5"),
                            service.postJson("/api/v1/audit/search", "{\"query\":\"memory leak\"}"))) {
                        assertThat(read.statusCode()).as(read.body()).isEqualTo(503);
                        assertThat(read.headers().firstValue("Retry-After")).isPresent();
                        assertThat(read.body()).contains("urn:datastorage:problem:unavailable")
                                .contains("database is unavailable").doesNotContain("nothing was stored");
                    }

                    long restarted = System.nanoTime();
                    external.restart();
                    await().atMost(BOUND).pollInterval(Duration.ofMillis(100)).until(() -> readiness(service) == 200);
                    secondsToReady = (System.nanoTime() - restarted) / 1e9;
                    int before = acknowledged.size();
                    await().atMost(BOUND).until(() -> acknowledged.size() >= before + 100 || !unexpected.isEmpty());
                } finally {
                    stop.set(true);
                }
            }
            assertThat(unexpected).as("answers other than 201, 503 unavailable or 503 outcome-unknown").isEmpty();
            assertThat(unavailable.get()).as("writes answered 503 while the server was down").isPositive();
            long lost = acknowledged.entrySet().stream()
                    .filter(e -> service.get("/api/v1/audit/" + e.getValue() + "/" + e.getKey()).statusCode() != 200)
                    .count();
            System.out.printf("EXTERNAL-DATABASE-STOP: acknowledged=%d lost=%d answered503WhileDown=%d"
                    + " secondsFromStartToReady=%.1f%n", acknowledged.size(), lost, unavailable.get(), secondsToReady);
            assertThat(lost).as("acknowledged records that did not read back").isZero();
        }
    }

    private static String urlOf(EmbeddedPostgres external) {
        return "--datastorage.db.url=jdbc:postgresql://127.0.0.1:" + external.getPort() + "/postgres";
    }

    private static int readiness(RunningService service) {
        try {
            return service.get("/readyz").statusCode();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }

    private static void keepWriting(RunningService service, int writer, Map<UUID, String> acknowledged,
                                    Queue<String> unexpected, AtomicInteger unavailable, AtomicBoolean stop) {
        for (int i = 0; !stop.get(); i++) {
            String kind = KINDS.get((writer + i) % KINDS.size());
            HttpResponse<String> answer = service.postJson("/api/v1/audit/" + kind, validRecord(kind, "ext-" + writer + "-" + i));
            if (answer.statusCode() == 201) {
                acknowledged.put(UUID.fromString(JSON.readTree(answer.body()).get("id").asString()), kind);
            } else if (answer.statusCode() == 503 && (answer.body().contains("nothing was stored")
                    || answer.body().contains("urn:datastorage:problem:outcome-unknown"))) {
                // outcome-unknown: the connection broke during the commit; the record may exist, it is not acknowledged.
                unavailable.incrementAndGet();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            } else {
                unexpected.add(answer.statusCode() + " " + answer.body());
            }
        }
    }
}
