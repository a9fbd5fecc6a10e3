package io.datastorage.server;

import io.datastorage.core.audit.AuditValidator;
import io.datastorage.core.migration.LegacyStore;
import io.datastorage.core.migration.NewSideRecords;
import io.datastorage.core.migration.SyncReport;
import io.datastorage.core.migration.SyncValidator;
import io.datastorage.core.store.RecordStore;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** What the backfill's server tests share: writing records, asking for a backfill, comparing both stores. */
final class Backfills {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String PATH = "/api/v1/admin/migration/backfill";

    private Backfills() {
    }

    /** Writes {@code count} workflow records named {@code prefix-n} in batches of 500; their ids. */
    static List<UUID> write(RunningService service, String prefix, int count) {
        List<UUID> ids = new ArrayList<>();
        for (int from = 0; from < count; from += 500) {
            StringBuilder batch = new StringBuilder("[");
            for (int n = from; n < Math.min(count, from + 500); n++) {
                batch.append(n == from ? "" : ",").append(RunningService.validRecord("workflow", prefix + "-" + n));
            }
            HttpResponse<String> created = service.postJson("/api/v1/audit/workflow/batch", batch.append("]").toString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JSON.readTree(created.body()).path("ids").forEach(id -> ids.add(UUID.fromString(id.asString())));
        }
        return ids;
    }

    /** Asks for a backfill and waits for its answer up to 5 minutes (a run takes longer than a request). */
    static HttpResponse<String> backfill(RunningService service, String direction) {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(service.api(PATH)).timeout(Duration.ofMinutes(5))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"direction\":\"" + direction + "\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    /** Both stores of the service compared by core's validator (no repair). */
    static SyncReport validate(RunningService service) {
        RecordStore records = service.context().getBean(RecordStore.class);
        return new SyncValidator(service.context().getBean(LegacyStore.class), records,
                NewSideRecords.sink(records, service.context().getBean(AuditValidator.class)),
                SyncValidator.Settings.DEFAULT, Clock.systemUTC()).validate(SyncValidator.Progress.NONE);
    }

    /** Moves the phase one step. */
    static void move(RunningService service, String phase) {
        long version = json(service.get("/api/v1/admin/migration")).path("version").asLong();
        HttpResponse<String> moved = service.send(java.net.http.HttpRequest.newBuilder(
                        service.api("/api/v1/admin/migration/phase")).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"phase\":\"" + phase + "\",\"expectedVersion\":"
                        + version + ",\"force\":true,\"reason\":\"test set-up, not a test of the gates\"}")));
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
    }

    /** Records per second of a finished backfill's result. */
    static double recordsPerSecond(JsonNode result) {
        double seconds = java.time.Duration.between(java.time.Instant.parse(result.path("startedAt").asString()),
                java.time.Instant.parse(result.path("finishedAt").asString())).toNanos() / 1e9;
        return result.path("scanned").asLong() / Math.max(seconds, 1e-3);
    }
}
