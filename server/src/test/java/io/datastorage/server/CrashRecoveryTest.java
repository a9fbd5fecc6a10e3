package io.datastorage.server;

import io.datastorage.index.lucene.LuceneVectorIndex;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.util.FileSystemUtils;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.datastorage.server.RunningService.KINDS;
import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Crash recovery under load: the service process is killed with SIGKILL while eight clients keep
 * writing, then started again on the same data directory. Proves that every record acknowledged
 * with 201 before the kill is in PostgreSQL after the restart and, once the start-up catch-up has
 * replayed what the index had not made durable yet, in the vector index exactly once; and that the
 * index then holds exactly the records PostgreSQL holds with an embedding (none missing, no orphans).
 *
 * <p>The service runs as a child JVM (the same {@code java}, the same class path) so the kill is
 * real: no shutdown hook, no final index commit, and the embedded PostgreSQL it started outlives
 * it, for the next start-up to deal with.
 */
class CrashRecoveryTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int WRITERS = 8;
    private static final int ACKNOWLEDGED_BEFORE_KILL = 400;
    private static final int DIMENSION = 384;
    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final Pattern CATCH_UP = Pattern.compile("Index catch-up replayed (\\d+) record");
    private static final Pattern INDEX_OPENED = Pattern.compile("Vector index: Lucene HNSW in \\S+ \\((\\d+) entries");

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<ChildService> services = new ArrayList<>();
    private Path dataDir;
    private int postgresPort;

    @RegisterExtension
    final AfterTestExecutionCallback printLogsOnFailure = context -> {
        if (context.getExecutionException().isPresent()) {
            services.forEach(ChildService::printLogTail);
        }
    };

    @BeforeEach
    void createDataDir() throws IOException {
        dataDir = Files.createTempDirectory("datastorage-crash");
        postgresPort = ChildService.freePort();
    }

    @AfterEach
    void cleanUp() {
        services.forEach(ChildService::kill);
        ChildService.stopLeftoverPostgres(dataDir);
        http.close();
        FileSystemUtils.deleteRecursively(dataDir.toFile());
    }

    @Test
    void everyAcknowledgedRecordSurvivesASigkillUnderLoad() throws Exception {
        ChildService first = start("first");
        Map<UUID, String> acknowledged = new ConcurrentHashMap<>(); // id -> kind
        Queue<String> unexpected = new ConcurrentLinkedQueue<>();
        AtomicBoolean killing = new AtomicBoolean();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.submit(() -> keepWriting(first, writer, acknowledged, unexpected, killing));
            }
            try {
                await().atMost(BOUND).until(() -> acknowledged.size() >= ACKNOWLEDGED_BEFORE_KILL || !unexpected.isEmpty());
            } finally {
                killing.set(true); // the writers stop with their request in flight
                first.process.destroyForcibly(); // SIGKILL, with the writers still going
            }
        }
        assertThat(first.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(unexpected).as("answers other than 201 before the kill").isEmpty();
        assertThat(first.process.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
        assertThat(ProcessHandle.of(first.process.pid()).filter(ProcessHandle::isAlive)).isEmpty();

        long restarting = System.nanoTime();
        ChildService second = start("second");
        double restartSeconds = secondsSince(restarting);

        acknowledged.forEach((id, kind) -> {
            HttpResponse<String> read = second.get("/api/v1/audit/" + kind + "/" + id);
            assertThat(read.statusCode()).as("GET %s %s after the restart: %s", kind, id, read.body()).isEqualTo(200);
        });

        // The catch-up runs once the service is ready; the index is only complete after it.
        await().atMost(BOUND).until(() -> second.log().contains("Index catch-up "));
        Matcher replayed = CATCH_UP.matcher(second.log());
        assertThat(replayed.find()).as("the catch-up finished (see the service log)").isTrue();
        Matcher opened = INDEX_OPENED.matcher(second.log());
        assertThat(opened.find()).isTrue();

        long recordsInPostgres;
        Set<UUID> embeddedInPostgres;
        try (Connection db = DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres?user=postgres")) {
            await().atMost(BOUND).until(() -> count(db, "WHERE index_pending OR embedding_pending") == 0);
            recordsInPostgres = count(db, "");
            embeddedInPostgres = ids(db, "WHERE embedding IS NOT NULL");
        }
        assertThat(recordsInPostgres).isGreaterThanOrEqualTo(acknowledged.size());

        second.process.destroy(); // SIGTERM: graceful stop, the index commits and closes
        assertThat(second.process.waitFor(60, TimeUnit.SECONDS)).as("graceful stop").isTrue();

        try (LuceneVectorIndex index = LuceneVectorIndex.open(dataDir.resolve("index"), DIMENSION, Duration.ofSeconds(5))) {
            Set<UUID> indexed = allIds(index);
            long count = index.count();
            System.out.printf("CRASH-RECOVERY: acknowledged=%d recordsInPostgresAfterRestart=%d restartToReadySeconds=%.1f"
                            + " leftoverPostgresStopped=%b indexEntriesAtRestart=%s catchUpReplayed=%s indexCount=%d%n",
                    acknowledged.size(), recordsInPostgres, restartSeconds,
                    second.log().contains("left running by an earlier process"), opened.group(1), replayed.group(1), count);

            assertThat(indexed).as("acknowledged records in the index").containsAll(acknowledged.keySet());
            assertThat(count).as("each record in the index exactly once").isEqualTo(indexed.size());
            assertThat(indexed).as("the index holds exactly the records PostgreSQL holds with an embedding")
                    .containsExactlyInAnyOrderElementsOf(embeddedInPostgres);
            assertThat(count).isEqualTo(embeddedInPostgres.size());
        }
    }

    /** Writes records of every kind until the kill; remembers each one acknowledged with 201. */
    private void keepWriting(ChildService service, int writer, Map<UUID, String> acknowledged,
                             Queue<String> unexpected, AtomicBoolean killing) {
        for (int i = 0; !killing.get(); i++) {
            String kind = KINDS.get(i % KINDS.size());
            try {
                HttpResponse<String> created = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit/" + kind))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(validRecord(kind, "crash-" + writer + "-" + i))));
                if (created.statusCode() == 201) {
                    acknowledged.put(UUID.fromString(JSON.readTree(created.body()).get("id").asString()), kind);
                } else {
                    unexpected.add(created.statusCode() + " " + created.body());
                }
            } catch (UncheckedIOException e) {
                if (!killing.get()) {
                    unexpected.add(e.getCause().toString());
                }
                return; // in flight at the kill: not acknowledged
            }
        }
    }

    private static long count(Connection db, String where) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM audit_records " + where)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static Set<UUID> ids(Connection db, String where) throws SQLException {
        Set<UUID> ids = new HashSet<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT id FROM audit_records " + where)) {
            while (rs.next()) {
                ids.add(rs.getObject(1, UUID.class));
            }
        }
        return ids;
    }

    private static Set<UUID> allIds(LuceneVectorIndex index) {
        Set<UUID> ids = new HashSet<>();
        for (List<UUID> page = index.ids(null, 1000); !page.isEmpty(); page = index.ids(page.getLast(), 1000)) {
            ids.addAll(page);
        }
        return ids;
    }

    private static double secondsSince(long nanos) {
        return (System.nanoTime() - nanos) / 1e9;
    }

    /** Starts the service as a child JVM on the data directory and waits until it is ready. */
    private ChildService start(String name) throws IOException {
        ChildService service = ChildService.start(name, dataDir, postgresPort, http,
                // Commit the index every second, so the kill finds both durable entries and a tail that is not.
                "--datastorage.index.commit-interval=1s");
        services.add(service);
        return service;
    }
}
