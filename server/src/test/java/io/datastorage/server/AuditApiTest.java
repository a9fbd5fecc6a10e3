package io.datastorage.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import javax.sql.DataSource;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The write and read-by-id API over real HTTP against the service in its embedded shape. */
class AuditApiTest {
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final List<String> KINDS = RunningService.KINDS;
    static RunningService service;
    static JdbcTemplate jdbc;

    @BeforeAll
    static void start() {
        service = RunningService.shared();
        jdbc = new JdbcTemplate(service.context().getBean(DataSource.class));
    }

    static JsonNode json(HttpResponse<String> response) {
        return JSON.readTree(response.body());
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    @ParameterizedTest
    @FieldSource("KINDS")
    void storesEachKindAndReadsItBackAsAccepted(String kind) {
        String name = unique(kind);
        String body = validRecord(kind, name);

        HttpResponse<String> created = service.postJson("/api/v1/audit/" + kind, body);

        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode receipt = json(created);
        String id = receipt.get("id").asString();
        assertThat(receipt.get("kind").asString()).isEqualTo(kind);
        assertThat(receipt.get("correlationId").asString()).isEqualTo("corr-" + name);
        assertThat(receipt.get("createdAt").asString()).isEqualTo("2026-11-20T10:00:00Z");
        assertThat(created.headers().firstValue("Location")).hasValue("/api/v1/audit/" + kind + "/" + id);

        HttpResponse<String> read = service.get("/api/v1/audit/" + kind + "/" + id);

        assertThat(read.statusCode()).isEqualTo(200);
        JsonNode record = json(read);
        JsonNode sent = JSON.readTree(body);
        assertThat(record.get("id").asString()).isEqualTo(id);
        assertThat(record.get("kind").asString()).isEqualTo(kind);
        sent.properties().forEach(field -> assertThat(record.get(field.getKey())).as(field.getKey()).isEqualTo(field.getValue()));
        assertThat(receipt.get("embedded").asBoolean()).isTrue();
        assertThat(record.get("embedded").asBoolean()).isTrue();
        assertThat(receipt.get("vectorIndexed").asBoolean()).isTrue();
        assertThat(record.get("vectorIndexed").asBoolean()).isTrue();
        assertThat(record.get("recordedBy").asString()).isEqualTo("system:anonymous");
        assertThat(record.size()).isEqualTo(sent.size() + 5); // id, kind, recordedBy, embedded, vectorIndexed
    }

    @Test
    void keepsHostileAndInternationalTextByteForByte() {
        String message = "<script>alert('x')</script> '; DROP TABLE audit_records; -- my-app-delete-jobs 用户-τεστ \uD83D\uDE80 \\\" ";
        String body = validRecord("remediation", "用户-τεστ").replace("\"phase\"",
                "\"message\":" + JSON.writeValueAsString(message) + ",\"labels\":{\"<k>\":\"'; DROP TABLE x;--\"},\"phase\"");

        HttpResponse<String> created = service.postJson("/api/v1/audit/remediation", body);
        JsonNode record = json(service.get(created.headers().firstValue("Location").orElseThrow()));

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(record.get("message").asString()).isEqualTo(message);
        assertThat(record.get("name").asString()).isEqualTo("用户-τεστ");
        assertThat(record.get("labels").get("<k>").asString()).isEqualTo("'; DROP TABLE x;--");
        assertThat(jdbc.queryForObject("SELECT to_regclass('audit_records') IS NOT NULL", Boolean.class)).isTrue();
    }

    @Test
    void answersUnknownIdsWith404Problem() {
        HttpResponse<String> response = service.get("/api/v1/audit/remediation/" + UUID.randomUUID());

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:not-found");
    }

    @Test
    void doesNotFindARecordUnderAnotherKind() {
        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", validRecord("workflow", unique("w")));
        String id = json(created).get("id").asString();

        assertThat(service.get("/api/v1/audit/execution/" + id).statusCode()).isEqualTo(404);
    }

    static Stream<Arguments> badRequests() {
        String valid = validRecord("remediation", "x");
        return Stream.of(
                arguments("malformed JSON", "/api/v1/audit/remediation", "{\"name\":", "application/json", 400, "malformed-json", ""),
                arguments("trailing garbage", "/api/v1/audit/remediation", valid + " x", "application/json", 400, "malformed-json", ""),
                arguments("duplicate key", "/api/v1/audit/remediation", "{\"name\":\"a\",\"name\":\"b\"}", "application/json", 400, "malformed-json", ""),
                arguments("empty body", "/api/v1/audit/remediation", "", "application/json", 400, "malformed-json", ""),
                arguments("array for a single record", "/api/v1/audit/remediation", "[" + valid + "]", "application/json", 400, "validation", ""),
                arguments("unknown field", "/api/v1/audit/remediation", valid.replace("{", "{\"color\":\"red\","), "application/json", 400, "validation", "color"),
                arguments("NUL character", "/api/v1/audit/remediation", valid.replace("\"name\":\"x\"", "\"name\":\"a\\u0000b\""), "application/json", 400, "validation", "name"),
                arguments("lone surrogate", "/api/v1/audit/remediation", valid.replace("\"name\":\"x\"", "\"name\":\"a\\ud800b\""), "application/json", 400, "validation", "name"),
                arguments("unknown kind", "/api/v1/audit/incident", valid, "application/json", 400, "validation", "kind"),
                arguments("text/plain", "/api/v1/audit/remediation", valid, "text/plain", 415, "unsupported-media-type", ""),
                arguments("form post", "/api/v1/audit/remediation", "name=x", "application/x-www-form-urlencoded", 415, "unsupported-media-type", ""),
                arguments("batch not an array", "/api/v1/audit/remediation/batch", valid, "application/json", 400, "validation", ""),
                arguments("empty batch", "/api/v1/audit/remediation/batch", "[]", "application/json", 400, "validation", ""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void rejectsBadInputWithAProblem(String what, String path, String body, String contentType, int status, String type, String field) {
        HttpResponse<String> response = service.post(path, body.getBytes(StandardCharsets.UTF_8), contentType);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        if (!field.isEmpty()) {
            assertThat(problem.get("errors").valueStream().map(e -> e.get("field").asString())).contains(field);
        }
    }

    @Test
    void listsEveryInvalidFieldWithItsMessage() {
        String body = "{\"name\":\"\",\"namespace\":\"" + "n".repeat(256) + "\",\"phase\":\"Done\",\"severity\":\"high\","
                + "\"createdAt\":\"2026-11-20T10:00:00\",\"correlationId\":\"c\",\"signalType\":\"s\",\"signalName\":\"s\","
                + "\"signalNamespace\":\"s\",\"targetType\":\"t\",\"targetName\":\"t\",\"targetNamespace\":\"t\",\"bogus\":1}";

        JsonNode problem = json(service.postJson("/api/v1/audit/remediation", body));

        assertThat(problem.get("errors").valueStream().collect(Collectors.toMap(e -> e.get("field").asString(), e -> e.get("message").asString())))
                .containsOnlyKeys("name", "namespace", "phase", "severity", "createdAt", "bogus")
                .hasEntrySatisfying("phase", m -> assertThat(m).contains("Pending, Processing, Completed, Failed"))
                .hasEntrySatisfying("namespace", m -> assertThat(m).contains("at most 255 characters, was 256"));
    }

    @Test
    void rejectsBodiesOverTheLimitsWith413() {
        String big = validRecord("remediation", "x").replace("\"phase\"", "\"message\":\"" + "m".repeat(1024 * 1024) + "\",\"phase\"");
        HttpResponse<String> single = service.postJson("/api/v1/audit/remediation", big);

        assertThat(single.statusCode()).isEqualTo(413);
        assertThat(json(single).get("type").asString()).isEqualTo("urn:datastorage:problem:payload-too-large");

        // 16 MiB + change of JSON whitespace around a valid batch.
        String batch = "[" + validRecord("workflow", "x") + "]" + " ".repeat(16 * 1024 * 1024);
        assertThat(service.postJson("/api/v1/audit/workflow/batch", batch).statusCode()).isEqualTo(413);
    }

    @Test
    void acceptsABodyJustUnderTheSingleLimit() {
        // The message limit (10 KiB) binds before the body limit, so pad with JSON whitespace.
        String body = validRecord("workflow", unique("pad"));
        String padded = body + " ".repeat(1024 * 1024 - body.getBytes(StandardCharsets.UTF_8).length);

        assertThat(padded.getBytes(StandardCharsets.UTF_8)).hasSize(1024 * 1024);
        assertThat(service.postJson("/api/v1/audit/workflow", padded).statusCode()).isEqualTo(201);
    }

    @Test
    void writesABatchInOneTransactionAndAnswersIdsInInputOrder() {
        String run = unique("batch");
        List<String> names = IntStream.range(0, 50).mapToObj(i -> run + "-" + i).toList();
        String body = names.stream().map(n -> validRecord("execution", n)).collect(Collectors.joining(",", "[", "]"));

        HttpResponse<String> response = service.postJson("/api/v1/audit/execution/batch", body);

        assertThat(response.statusCode()).isEqualTo(201);
        JsonNode answer = json(response);
        assertThat(answer.get("count").asInt()).isEqualTo(50);
        List<String> ids = answer.get("ids").valueStream().map(JsonNode::asString).toList();
        for (int i = 0; i < names.size(); i++) {
            JsonNode record = json(service.get("/api/v1/audit/execution/" + ids.get(i)));
            assertThat(record.get("name").asString()).isEqualTo(names.get(i));
        }
    }

    @Test
    void storesNothingOfABatchWithOneInvalidElement() {
        String run = unique("atomic");
        List<String> records = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            records.add(validRecord("workflow", run + "-" + i));
        }
        records.set(7, records.get(7).replace("\"phase\":\"Completed\"", "\"phase\":\"Nope\""));
        records.set(3, records.get(3).replace(",\"step\":\"drain\"", ""));

        HttpResponse<String> response = service.postJson("/api/v1/audit/workflow/batch", String.join(",", "[" + String.join(",", records) + "]"));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("errors").valueStream().map(e -> e.get("field").asString()))
                .containsExactlyInAnyOrder("[3].step", "[7].phase");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_records WHERE name LIKE ?", Long.class, run + "%")).isZero();
    }

    @Test
    void rejectsABatchOfMoreThan500() {
        String body = IntStream.range(0, 501).mapToObj(i -> validRecord("workflow", "b" + i)).collect(Collectors.joining(",", "[", "]"));

        HttpResponse<String> response = service.postJson("/api/v1/audit/workflow/batch", body);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("must hold 1..500 records, held 501");
    }

    @Test
    void replaysTheOriginalAnswerForARetryWithTheSameKey() {
        String name = unique("idem");
        String key = UUID.randomUUID().toString();
        String body = validRecord("remediation", name);

        HttpResponse<String> first = service.postJson("/api/v1/audit/remediation", body, "Idempotency-Key", key);
        // The same content with other whitespace and key order is the same request.
        HttpResponse<String> retry = service.postJson("/api/v1/audit/remediation",
                " " + body.replace(",\"namespace\":\"prod\"", "").replace("{", "{\"namespace\":\"prod\", "), "Idempotency-Key", key);

        assertThat(first.statusCode()).isEqualTo(201);
        assertThat(retry.statusCode()).isEqualTo(201);
        assertThat(json(retry)).isEqualTo(json(first));
        assertThat(first.headers().firstValue("Idempotent-Replayed")).hasValue("false");
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_records WHERE name = ?", Long.class, name)).isEqualTo(1);
    }

    @Test
    void rejectsTheSameKeyWithAnotherBodyWith422() {
        String key = UUID.randomUUID().toString();
        String name = unique("conflict");
        service.postJson("/api/v1/audit/workflow", validRecord("workflow", name), "Idempotency-Key", key);

        HttpResponse<String> other = service.postJson("/api/v1/audit/workflow", validRecord("workflow", name + "-other"), "Idempotency-Key", key);
        HttpResponse<String> otherPath = service.postJson("/api/v1/audit/workflow/batch", "[" + validRecord("workflow", name) + "]", "Idempotency-Key", key);

        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(json(other).get("type").asString()).isEqualTo("urn:datastorage:problem:idempotency-key-reused");
        assertThat(otherPath.statusCode()).isEqualTo(422);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_records WHERE name LIKE ?", Long.class, name + "%")).isEqualTo(1);
    }

    @Test
    void replaysBatchesToo() {
        String key = UUID.randomUUID().toString();
        String body = "[" + validRecord("workflow", unique("b1")) + "," + validRecord("workflow", unique("b2")) + "]";

        HttpResponse<String> first = service.postJson("/api/v1/audit/workflow/batch", body, "Idempotency-Key", key);
        HttpResponse<String> retry = service.postJson("/api/v1/audit/workflow/batch", body, "Idempotency-Key", key);

        assertThat(json(retry).get("ids")).isEqualTo(json(first).get("ids"));
        assertThat(retry.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    }

    @Test
    void rejectsAMalformedIdempotencyKey() {
        HttpResponse<String> response = service.postJson("/api/v1/audit/workflow", validRecord("workflow", "k"),
                "Idempotency-Key", "x".repeat(256));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("Idempotency-Key");
    }

    @Test
    void rejectsAnIdThatIsNotAUuid() {
        HttpResponse<String> response = service.get("/api/v1/audit/remediation/not-a-uuid");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("must be a UUID");
    }

    @Test
    void twoHundredConcurrentWritersLoseAndDuplicateNothing() throws Exception {
        String run = unique("concurrent");
        int writers = 200;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < writers; i++) {
                String body = validRecord("remediation", run + "-" + i);
                responses.add(pool.submit(() -> {
                    start.await();
                    return service.postJson("/api/v1/audit/remediation", body);
                }));
            }
            start.countDown();
            Set<String> ids = new HashSet<>();
            for (Future<HttpResponse<String>> response : responses) {
                assertThat(response.get().statusCode()).isEqualTo(201);
                ids.add(json(response.get()).get("id").asString());
            }
            assertThat(ids).hasSize(writers);
        }
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_records WHERE name LIKE ?", Long.class, run + "-%")).isEqualTo(writers);
        assertThat(jdbc.queryForObject("SELECT count(DISTINCT name) FROM audit_records WHERE name LIKE ?", Long.class, run + "-%")).isEqualTo(writers);
    }

    @Test
    void createsTheMonthlyPartitionForARecordOfANewMonth() {
        String body = validRecord("workflow", unique("old")).replace("2026-11-20T10:00:00Z", "2003-02-14T08:00:00+09:00");
        assertThat(jdbc.queryForObject("SELECT to_regclass('audit_records_y2003m02') IS NULL", Boolean.class)).isTrue();

        HttpResponse<String> created = service.postJson("/api/v1/audit/workflow", body);

        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_records_y2003m02", Long.class)).isEqualTo(1);
    }

    @Test
    void echoesTheCorrelationIdHeader() {
        HttpResponse<String> response = service.postJson("/api/v1/audit/workflow", validRecord("workflow", "corr"),
                "X-Correlation-ID", "trace-123");

        assertThat(response.headers().firstValue("X-Correlation-ID")).hasValue("trace-123");
    }
}
