package io.datastorage.server;

import io.datastorage.core.job.JobLeases;
import io.datastorage.core.job.LeaseHolder;
import io.datastorage.store.postgres.PostgresStore;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import io.datastorage.server.cli.DatastorageCli;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Retention and legal holds through the API, on the service with its embedded PostgreSQL and its
 * Lucene index behind a switch: aianalysis records are kept 30 days, so its months of 2025 are
 * expired by the service's real clock (the months themselves are what the test chooses, no clock is
 * moved). The rules of expiry and holds, with time moved, are in the store's retention test.
 */
class RetentionApiTest {
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.start(new Class<?>[]{DatastorageApplication.class, SwitchableIndexConfiguration.class},
                RunningService.newDataDir(), "--datastorage.retention.periods.aianalysis=30d");
    }

    @AfterAll
    static void stop() {
        service.close();
    }

    private static String analysis(String correlationId, String createdAt, String rootCause) {
        HttpResponse<String> created = service.postJson("/api/v1/audit/aianalysis", "{\"name\":\"a\",\"namespace\":\"ml\","
                + "\"phase\":\"Completed\",\"createdAt\":\"" + createdAt + "\",\"correlationId\":\"" + correlationId
                + "\",\"rootCause\":\"" + rootCause + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("id").asString();
    }

    private static double dropped() {
        return service.context().getBean(MeterRegistry.class).get("datastorage.retention.records.dropped")
                .tag("kind", "aianalysis").counter().count();
    }

    private static double activeHoldsGauge() {
        return service.context().getBean(MeterRegistry.class).get("datastorage.legal.holds.active").gauge().value();
    }

    private static JsonNode json(HttpResponse<String> response, int status) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> delete(String path) {
        return service.send(HttpRequest.newBuilder(service.api(path)).DELETE());
    }

    private static List<String> searchIds(String query) {
        JsonNode answer = json(service.postJson("/api/v1/audit/search", "{\"query\":\"" + query + "\",\"topK\":50}"), 200);
        List<String> ids = new ArrayList<>();
        answer.get("results").forEach(r -> ids.add(r.get("record").get("id").asString()));
        return ids;
    }

    @Test
    void aHoldAcrossAMonthBoundaryKeepsBothMonthsAndADroppedRecordIsGoneFromReadsSearchAndTheIndex() {
        double droppedBefore = dropped();
        String lastOfJanuary = analysis("case-9", "2025-01-31T23:59:00Z", "disk pressure evicted the pods");
        String firstOfFebruary = analysis("case-9", "2025-02-01T00:00:00Z", "disk pressure evicted the pods again");
        String march = analysis("case-10", "2025-03-10T08:00:00Z", "a certificate expired on the ingress gateway");
        String recent = analysis("case-11", "2026-11-25T08:00:00Z", "a certificate expired on the ingress gateway");
        String hold = json(service.postJson("/api/v1/admin/legal-holds",
                "{\"correlationId\":\"case-9\",\"reason\":\"litigation 2025-17\"}"), 201).get("id").asString();

        JsonNode report = json(service.get("/api/v1/admin/retention"), 200);
        assertThat(report.get("drops").toString()).isEqualTo("[{\"kind\":\"aianalysis\",\"month\":\"2025-03\",\"records\":1}]");
        assertThat(report.get("blocked").toString()).isEqualTo("[{\"kind\":\"aianalysis\",\"month\":\"2025-01\",\"records\":1,"
                + "\"holds\":[\"" + hold + "\"]},{\"kind\":\"aianalysis\",\"month\":\"2025-02\",\"records\":1,\"holds\":[\""
                + hold + "\"]}]");

        SwitchableIndexConfiguration.of(service).down(true);
        JsonNode run;
        try {
            run = json(service.postJson("/api/v1/admin/retention/run", ""), 200);
        } finally {
            SwitchableIndexConfiguration.of(service).down(false);
        }

        assertThat(run.get("dropped")).isEqualTo(report.get("drops"));
        assertThat(run.get("blocked")).isEqualTo(report.get("blocked"));
        PostgresStore store = service.context().getBean(PostgresStore.class);
        assertThat(store.retention().pendingIndexDeletes(10)).containsExactly(UUID.fromString(march));
        assertThat(service.get("/api/v1/audit/aianalysis/" + march).statusCode()).isEqualTo(404);
        assertThat(service.get("/api/v1/audit/aianalysis/" + lastOfJanuary).statusCode()).isEqualTo(200);
        assertThat(service.get("/api/v1/audit/aianalysis/" + firstOfFebruary).statusCode()).isEqualTo(200);
        // The index still holds the dropped record's vector; the search leaves it out. (The index shows
        // a new entry to searches within its refresh, hence the wait for the recent record.)
        await().atMost(Duration.ofSeconds(30)).until(() -> searchIds("certificate expired on the ingress").contains(recent));
        assertThat(searchIds("certificate expired on the ingress")).doesNotContain(march);

        json(service.postJson("/api/v1/admin/retention/run", ""), 200);

        assertThat(store.retention().pendingIndexDeletes(10)).isEmpty();
        // The index shows a delete to reads within its refresh.
        await().atMost(Duration.ofSeconds(30))
                .until(() -> SwitchableIndexConfiguration.of(service).get(UUID.fromString(march)).isEmpty());
        assertThat(searchIds("certificate expired on the ingress")).contains(recent).doesNotContain(march);

        assertThat(delete("/api/v1/admin/legal-holds/" + hold).statusCode()).isEqualTo(204);
        JsonNode afterRelease = json(service.postJson("/api/v1/admin/retention/run", ""), 200);

        assertThat(afterRelease.get("records").asLong()).isEqualTo(2);
        assertThat(afterRelease.get("blocked")).isEmpty();
        assertThat(service.get("/api/v1/audit/aianalysis/" + lastOfJanuary).statusCode()).isEqualTo(404);
        assertThat(service.get("/api/v1/audit/aianalysis/" + firstOfFebruary).statusCode()).isEqualTo(404);
        assertThat(service.get("/api/v1/audit/aianalysis/" + recent).statusCode()).isEqualTo(200);
        assertThat(dropped() - droppedBefore).isEqualTo(3);
        assertThat(service.get(service.management("/metrics")).body())
                .contains("datastorage_retention_records_dropped_total{application=\"datastorage\",kind=\"aianalysis\"}")
                .contains("datastorage_retention_months_blocked{application=\"datastorage\",kind=\"aianalysis\"} 0.0")
                .contains("datastorage_legal_holds_active{application=\"datastorage\"}");
    }

    @Test
    void legalHoldsArePlacedListedAndReleasedAndTheReleaseIsKeptOnRecord() {
        HttpResponse<String> created = service.postJson("/api/v1/admin/legal-holds",
                "{\"namespace\":\"payments\",\"reason\":\"audit by the regulator\",\"expiresAt\":\"2099-01-01T00:00:00Z\"}");
        JsonNode hold = json(created, 201);
        String id = hold.get("id").asString();

        assertThat(created.headers().firstValue("Location")).contains("/api/v1/admin/legal-holds/" + id);
        assertThat(hold.get("createdBy").asString()).isEqualTo("system:anonymous");
        assertThat(hold.get("correlationId").isNull()).isTrue();
        assertThat(hold.get("active").asBoolean()).isTrue();
        assertThat(json(service.get("/api/v1/admin/legal-holds/" + id), 200)).isEqualTo(hold);
        assertThat(json(service.get("/api/v1/admin/legal-holds"), 200).get("holds").toString()).contains(id);
        assertThat(activeHoldsGauge()).isEqualTo(json(service.get("/api/v1/admin/legal-holds"), 200).get("holds").size());

        assertThat(delete("/api/v1/admin/legal-holds/" + id).statusCode()).isEqualTo(204);
        assertThat(delete("/api/v1/admin/legal-holds/" + id).statusCode()).isEqualTo(204);

        assertThat(json(service.get("/api/v1/admin/legal-holds"), 200).get("holds").toString()).doesNotContain(id);
        JsonNode released = json(service.get("/api/v1/admin/legal-holds/" + id), 200);
        assertThat(released.get("active").asBoolean()).isFalse();
        assertThat(released.get("releasedBy").asString()).isEqualTo("system:anonymous");
        assertThat(json(service.get("/api/v1/admin/legal-holds?all=true"), 200).get("holds").toString()).contains(id);
        assertThat(activeHoldsGauge()).isEqualTo(json(service.get("/api/v1/admin/legal-holds"), 200).get("holds").size());
    }

    @Test
    void aBadHoldIsRefusedNamingTheFieldAndAnUnknownOneIsNotFound() {
        assertBadHold("{\"correlationId\":\"c\",\"namespace\":\"n\",\"reason\":\"r\"}", "namespace");
        assertBadHold("{\"reason\":\"r\"}", "");
        assertBadHold("{\"correlationId\":\"c\",\"reason\":\"  \"}", "reason");
        assertBadHold("{\"correlationId\":\"c\"}", "reason");
        assertBadHold("{\"correlationId\":\"c\",\"reason\":\"r\",\"expiresAt\":\"2020-01-01T00:00:00Z\"}", "expiresAt");
        assertBadHold("{\"correlationId\":\"c\",\"reason\":\"r\",\"expiresAt\":\"tomorrow\"}", "expiresAt");
        assertBadHold("{\"correlationId\":7,\"reason\":\"r\"}", "correlationId");
        assertBadHold("{\"correlationId\":\"c\",\"reason\":\"r\",\"kind\":\"x\"}", "kind");
        assertBadHold("[]", "");
        // what PostgreSQL cannot store, or would store as something else, is refused as a record's field is
        assertBadHold("{\"correlationId\":\"a\\u0000b\",\"reason\":\"r\"}", "correlationId");
        assertBadHold("{\"namespace\":\"a\\u0000b\",\"reason\":\"r\"}", "namespace");
        assertBadHold("{\"namespace\":\"ab\",\"reason\":\"r\\u0000\"}", "reason");
        assertBadHold("{\"correlationId\":\"a\\ud800b\",\"reason\":\"r\"}", "correlationId");
        assertBadHold("{\"namespace\":\"ab\",\"reason\":\"r\\udc00\"}", "reason");
        assertBadHold("{\"correlationId\":\" \",\"reason\":\"r\"}", "correlationId");
        // a correlationId or namespace no record can carry would make a hold that covers nothing
        assertBadHold("{\"correlationId\":\"" + "c".repeat(256) + "\",\"reason\":\"r\"}", "correlationId");
        assertBadHold("{\"namespace\":\"" + "n".repeat(256) + "\",\"reason\":\"r\"}", "namespace");
        assertBadHold("{\"namespace\":\"n\",\"reason\":\"" + "r".repeat(1025) + "\"}", "reason");
        assertBadHold("{\"correlationId\":\"c\",\"reason\":\"r\",\"k\\ud800" + "x".repeat(100) + "\":1}",
                "k\uFFFD" + "x".repeat(62) + "…");
        String longest = "c".repeat(254) + "\uD83D\uDE00"; // 255 characters, one of them outside the BMP
        JsonNode held = json(service.postJson("/api/v1/admin/legal-holds", "{\"correlationId\":\"" + longest
                + "\",\"reason\":\"" + "r".repeat(1024) + "\"}"), 201);
        assertThat(held.get("correlationId").asString()).isEqualTo(longest);
        assertThat(delete("/api/v1/admin/legal-holds/" + held.get("id").asString()).statusCode()).isEqualTo(204);

        assertThat(badQuery("/api/v1/admin/legal-holds?all=maybe", "all")).contains("true or false", "'maybe'");
        for (String all : List.of("yes", "1", "TRUE", "", "true&all=true")) {
            assertThat(badQuery("/api/v1/admin/legal-holds?all=" + all, "all")).contains("true or false");
        }
        assertThat(badQuery("/api/v1/admin/legal-holds?foo=1", "foo")).contains("all=true|false");
        assertThat(badQuery("/api/v1/admin/legal-holds?all=true&foo=1", "foo")).contains("unknown query parameter");
        assertThat(badQuery("/api/v1/admin/legal-holds/" + UUID.randomUUID() + "?all=true", "all"))
                .contains("no query parameters");
        assertThat(badQuery("/api/v1/admin/retention?foo=1", "foo")).contains("no query parameters");
        assertThat(badQuery("/api/v1/admin/retention?all=true", "all")).contains("no query parameters");
        json(service.get("/api/v1/admin/legal-holds?all=false"), 200);
        json(service.get("/api/v1/admin/legal-holds?all=true"), 200);
        json(service.get("/api/v1/admin/retention"), 200);

        for (String path : List.of("/api/v1/admin/legal-holds/" + UUID.randomUUID(), "/api/v1/admin/legal-holds/nope")) {
            HttpResponse<String> get = service.get(path);
            HttpResponse<String> release = delete(path);
            assertThat(List.of(get, release)).allSatisfy(answer -> {
                assertThat(answer.statusCode()).isEqualTo(404);
                assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                        type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(JSON.readTree(answer.body()).get("type").asString())
                        .isEqualTo("urn:datastorage:problem:legal-hold-not-found");
            });
        }
    }

    private static void assertBadHold(String body, String field) {
        HttpResponse<String> answer = service.postJson("/api/v1/admin/legal-holds", body);
        JsonNode problem = json(answer, 400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        List<String> fields = new ArrayList<>();
        problem.get("errors").forEach(error -> fields.add(error.get("field").asString()));
        assertThat(fields).as(body).contains(field);
    }

    /** A GET of {@code path} answers 400 {@code validation} naming {@code parameter}; its message. */
    private static String badQuery(String path, String parameter) {
        HttpResponse<String> answer = service.get(path);
        JsonNode problem = json(answer, 400);
        assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        for (JsonNode error : problem.get("errors")) {
            if (error.get("field").asString().equals(parameter)) {
                return error.get("message").asString();
            }
        }
        throw new AssertionError(path + " did not name " + parameter + ": " + answer.body());
    }

    @Test
    void aRunAskedForWhileAnotherReplicaHoldsTheLeaseAnswers409() {
        JobLeases leases = service.context().getBean(JobLeases.class);
        leases.release("retention", LeaseHolder.thisProcess()); // this replica keeps the lease after its runs
        assertThat(leases.acquire("retention", "another-replica", Duration.ofMinutes(5))).isTrue();
        try {
            HttpResponse<String> answer = service.postJson("/api/v1/admin/retention/run", "");

            assertThat(json(answer, 409).get("type").asString()).isEqualTo("urn:datastorage:problem:retention-elsewhere");
        } finally {
            leases.release("retention", "another-replica");
        }
    }

    @Test
    void theCommandLinePrintsTheDryRunAndRunsRetention() {
        String old = analysis("case-cli", "2025-05-10T08:00:00Z", "a node ran out of inodes");

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = DatastorageCli.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));
        int report = cli.execute("retention", "report", "--url", service.api("").toString());

        assertThat(report).as(err.toString()).isZero();
        assertThat(out.toString()).contains("\"month\" : \"2025-05\"");
        assertThat(service.get("/api/v1/audit/aianalysis/" + old).statusCode()).isEqualTo(200);

        int run = cli.execute("retention", "run", "--url", service.api("").toString());

        assertThat(run).as(err.toString()).isZero();
        assertThat(service.get("/api/v1/audit/aianalysis/" + old).statusCode()).isEqualTo(404);
        assertThat(cli.execute("retention", "run", "--url", "http://127.0.0.1:1")).isOne();
        assertThat(err.toString()).contains("cannot reach http://127.0.0.1:1");
    }
}
