package io.datastorage.server;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;

/** Data survives restarts of the service and of its embedded database; shutdown loses nothing acknowledged. */
class LifecycleTest {
    static final JsonMapper JSON = JsonMapper.builder().build();

    @Test
    void recordsSurviveARestartOnTheSameDataDirectory() {
        Path dataDir = RunningService.newDataDir();
        List<String> locations = new ArrayList<>();
        try (RunningService first = RunningService.start(dataDir)) {
            for (String kind : RunningService.KINDS) {
                HttpResponse<String> created = first.postJson("/api/v1/audit/" + kind, validRecord(kind, "survivor-" + kind));
                assertThat(created.statusCode()).isEqualTo(201);
                locations.add(created.headers().firstValue("Location").orElseThrow());
            }
        }

        try (RunningService second = RunningService.start(dataDir)) {
            for (int i = 0; i < locations.size(); i++) {
                HttpResponse<String> read = second.get(locations.get(i));
                assertThat(read.statusCode()).isEqualTo(200);
                assertThat(JSON.readTree(read.body()).get("name").asString()).isEqualTo("survivor-" + RunningService.KINDS.get(i));
            }
        }
    }

    @Test
    void everyAcknowledgedWriteIsStoredWhenTheServiceStopsUnderLoad() throws Exception {
        Path dataDir = RunningService.newDataDir();
        RunningService service = RunningService.start(dataDir);
        CountDownLatch warmedUp = new CountDownLatch(50);
        AtomicBoolean stopping = new AtomicBoolean();
        List<Future<List<Object>>> writers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < 16; w++) {
                int writer = w;
                // Each writer keeps writing until the service refuses it: some requests are in
                // flight when shutdown begins.
                writers.add(pool.submit(() -> {
                    List<Object> outcomes = new ArrayList<>();
                    for (int i = 0; i < 10_000; i++) {
                        try {
                            HttpResponse<String> response = service.postJson("/api/v1/audit/workflow",
                                    validRecord("workflow", "inflight-" + writer + "-" + i));
                            outcomes.add(response);
                            warmedUp.countDown();
                        } catch (RuntimeException refused) {
                            if (stopping.get()) {
                                break; // not acknowledged: the service is going away
                            }
                            throw refused;
                        }
                    }
                    return outcomes;
                }));
            }
            assertThat(warmedUp.await(60, TimeUnit.SECONDS)).isTrue();
            stopping.set(true);
            service.close();
        }

        List<String> acknowledged = new ArrayList<>();
        for (Future<List<Object>> writer : writers) {
            for (Object outcome : writer.get()) {
                HttpResponse<?> response = (HttpResponse<?>) outcome;
                assertThat(response.statusCode()).as("an answer during shutdown is 201 or 503, was: %s", response.body())
                        .isIn(201, 503);
                if (response.statusCode() == 201) {
                    acknowledged.add(response.headers().firstValue("Location").orElseThrow());
                }
            }
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(50);

        try (RunningService restarted = RunningService.start(dataDir)) {
            for (String location : acknowledged) {
                assertThat(restarted.get(location).statusCode()).as(location).isEqualTo(200);
            }
        }
    }
}
