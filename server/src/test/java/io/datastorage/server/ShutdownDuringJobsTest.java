package io.datastorage.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.datastorage.server.Backfills.JSON;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Shutting down while a long job runs with requests joined to it: the job stops before the web
 * server's graceful shutdown waits for the requests under way, so they are answered 503 (the run
 * stopped before it ended) instead of holding the shutdown for its whole timeout and then losing
 * their answers.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ShutdownDuringJobsTest {

    @Test
    void aShutdownMidBackfillAnswersTheJoinedRequests503AndCompletes() throws Exception {
        Path dataDir = RunningService.newDataDir();
        Path legacyDir = Files.createDirectory(dataDir.resolve("legacy"));
        RunningService service = RunningService.start(dataDir, "--datastorage.migration.legacy.type=json-files",
                "--datastorage.migration.legacy.path=" + legacyDir, "--datastorage.migration.backfill-rate=50");
        try (HttpClient http = HttpClient.newHttpClient()) {
            Backfills.write(service, "shutdown", 1000); // LEGACY_ONLY: on the legacy store only; 20 s at 50/s
            List<CompletableFuture<HttpResponse<String>>> joined = List.of(post(http, service), post(http, service));
            await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(100)).until(() ->
                    JSON.readTree(service.get(Backfills.PATH).body()).path("progress").path("scanned").asLong() > 0);

            long before = System.nanoTime();
            service.close();
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - before);
            System.out.println("Shutdown with a backfill under way and two requests joined took " + millis + " ms");

            assertThat(service.context().isActive()).isFalse();
            for (CompletableFuture<HttpResponse<String>> request : joined) {
                assertThat(request).isDone();
                HttpResponse<String> response = request.join();
                assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
                assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                        assertThat(type).startsWith("application/problem+json"));
                assertThat(response.headers().firstValue("Retry-After")).isPresent();
                assertThat(JSON.readTree(response.body()).path("type").asString())
                        .isEqualTo("urn:datastorage:problem:unavailable");
                assertThat(JSON.readTree(response.body()).path("detail").asString()).contains("shutting down");
            }
        } finally {
            service.close();
        }
    }

    private static CompletableFuture<HttpResponse<String>> post(HttpClient http, RunningService service) {
        return http.sendAsync(HttpRequest.newBuilder(service.api(Backfills.PATH)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"direction\":\"legacy-to-new\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
