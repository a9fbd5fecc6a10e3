package io.datastorage.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.stream.Stream;

import static io.datastorage.server.AuditApiTest.JSON;
import static io.datastorage.server.AuditApiTest.json;
import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Issue 13, kind 5: every answer the service gives is problem+json with a stable type and an
 * {@code X-Correlation-ID}, including those the servlet container produces before the API sees
 * the request (before, HTML pages or Spring Boot's default JSON without the correlation id), on
 * the API port and the management port. Raw sockets send what an HTTP client refuses to.
 */
class ContainerErrorsTest {
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.shared();
    }

    static URI api() {
        return service.api("/");
    }

    static Stream<Arguments> rawRequests() {
        String host = "\r\nHost: localhost\r\nConnection: close";
        return Stream.of(
                arguments("%ff in the path", "GET /api/v1/audit/%ff HTTP/1.1" + host, 400, "bad-request"),
                arguments("%2F in the path", "GET /api/v1/audit/remediation%2Fx HTTP/1.1" + host, 400, "bad-request"),
                arguments("%00 in the path", "GET /api/v1/audit/%00 HTTP/1.1" + host, 400, "bad-request"),
                arguments("{ in the path", "GET /api/v1/audit/{kind} HTTP/1.1" + host, 400, "bad-request"),
                // Tomcat leaves path parameters undecoded, Spring's path parser threw on them: 500 before
                arguments("lone % in a path parameter", "GET /api/v1/audit/;% HTTP/1.1" + host, 400, "bad-request"),
                arguments("%zz in a path parameter", "GET /api/v1/audit/remediation;x=%zz HTTP/1.1" + host, 400, "bad-request"),
                arguments("% at the end of a write's path parameter", "POST /api/v1/audit/workflow;a=1% HTTP/1.1" + host
                        + "\r\nContent-Type: application/json\r\nContent-Length: 2", 400, "bad-request"),
                arguments("% in an open path's parameter", "GET /healthz;% HTTP/1.1" + host, 400, "bad-request"),
                arguments("backslash in the path", "GET /api\\v1/audit HTTP/1.1" + host, 400, "bad-request"),
                arguments("path above the root", "GET /../../etc/passwd HTTP/1.1" + host, 400, "bad-request"),
                arguments("header over 8 KiB", "GET /api/v1/audit HTTP/1.1" + host + "\r\nX-Big: " + "a".repeat(9000), 400, "bad-request"),
                arguments("path over 8 KiB", "GET /api/v1/audit/" + "a".repeat(9000) + " HTTP/1.1" + host, 400, "bad-request"),
                arguments("control character in a header", "GET /api/v1/audit HTTP/1.1" + host + "\r\nX-Test: a\u0001b", 400, "bad-request"),
                arguments("header without a colon", "GET /api/v1/audit HTTP/1.1" + host + "\r\nno colon here", 400, "bad-request"),
                arguments("no Host header", "GET /api/v1/audit HTTP/1.1\r\nConnection: close", 400, "bad-request"),
                arguments("TRACE", "TRACE /api/v1/audit HTTP/1.1" + host, 405, "method-not-allowed"),
                arguments("unknown method", "BREW /api/v1/audit HTTP/1.1" + host, 405, "method-not-allowed"),
                arguments("HTTP/3.0", "GET /api/v1/audit HTTP/3.0" + host, 400, "bad-request"),
                arguments("CONNECT", "CONNECT localhost:80 HTTP/1.1" + host, 400, "bad-request"),
                arguments("unknown transfer coding", "POST /api/v1/audit/workflow HTTP/1.1" + host
                        + "\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip", 400, "bad-request"),
                arguments("trailing slash", "GET /api/v1/audit/remediation/ HTTP/1.1" + host, 404, "not-found"),
                arguments("unknown path", "GET /nope HTTP/1.1" + host, 404, "not-found"),
                arguments("unreadable Accept", "GET /api/v1/audit HTTP/1.1" + host + "\r\nAccept: !", 406, "not-acceptable"),
                arguments("Accept: text/html", "GET /api/v1/audit HTTP/1.1" + host + "\r\nAccept: text/html", 406, "not-acceptable"),
                arguments("Accept: text/html on a bad write", "POST /api/v1/audit/workflow HTTP/1.1" + host
                        + "\r\nAccept: text/html\r\nContent-Type: application/json\r\nContent-Length: 2", 406, "not-acceptable"),
                arguments("Accept: ! on a bad write", "POST /api/v1/audit/workflow HTTP/1.1" + host
                        + "\r\nAccept: !\r\nContent-Type: application/json\r\nContent-Length: 2", 406, "not-acceptable"),
                arguments("unknown kind with Accept: text/html", "GET /api/v1/audit/nope/00000000-0000-0000-0000-000000000000 HTTP/1.1"
                        + host + "\r\nAccept: text/html", 406, "not-acceptable"),
                arguments("POST to a read-only path", "POST /readyz HTTP/1.1" + host + "\r\nContent-Length: 0", 405, "method-not-allowed"),
                arguments("two Content-Type headers on a write", "POST /api/v1/audit/workflow HTTP/1.1" + host
                        + "\r\nContent-Type: application/json\r\nContent-Type: text/plain\r\nContent-Length: 2", 400, "validation"),
                arguments("two Content-Type headers on a search", "POST /api/v1/audit/search HTTP/1.1" + host
                        + "\r\nContent-Type: application/json\r\nContent-Type: application/json\r\nContent-Length: 2", 400, "validation"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rawRequests")
    void answersWhatTheContainerRefusesWithAProblem(String what, String head, int status, String type) {
        assertProblem(RawHttp.send(api(), head, head.contains("Content-Length: 2") ? "{}".getBytes() : new byte[0]), status, type);
    }

    /**
     * A Range header is not a way around problem+json: the description was served as a resource,
     * and {@code Range: !} got a 416 carrying the YAML (found by the no-5xx property).
     */
    @ParameterizedTest(name = "Range: {0}")
    @ValueSource(strings = {"!", "bytes=0-10", "bytes=999999-"})
    void theOpenApiDescriptionIgnoresRanges(String range) {
        RawHttp answer = RawHttp.send(api(), "GET /api/v1/openapi.yaml HTTP/1.1\r\nHost: x\r\nConnection: close\r\nRange: " + range);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).startsWith("openapi: 3.1.0");
    }

    /**
     * JSON is UTF-8 whatever charset Accept names: with {@code charset=utf-16} the writer failed
     * after the record had committed, and the write was answered 500 (found by the no-5xx property).
     */
    @ParameterizedTest(name = "Accept: application/json; charset={0}")
    @ValueSource(strings = {"utf-16", "utf-32", "iso-8859-1", "bogus"})
    void answersUtf8JsonWhateverCharsetAcceptNames(String charset) {
        byte[] body = RunningService.validRecord("workflow", "accept-" + charset).getBytes(StandardCharsets.UTF_8);
        RawHttp answer = RawHttp.send(api(), "POST /api/v1/audit/workflow HTTP/1.1\r\nHost: x\r\nConnection: close"
                + "\r\nAccept: application/json; charset=" + charset + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length, body);

        assertThat(answer.status()).as(answer.body()).isEqualTo(201);
        assertThat(answer.body()).contains("\"vectorIndexed\"");
    }

    @Test
    void keepsAWellFormedCorrelationIdEvenWhenTheContainerAnswers() {
        RawHttp answer = RawHttp.send(api(), "GET /api/v1/audit/%ff HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Correlation-ID: c-raw-1");

        assertThat(answer.header("X-Correlation-ID")).isEqualTo("c-raw-1");
    }

    @Test
    void answersTheManagementPortsErrorsWithProblemsToo() {
        URI management = service.management("/");
        String host = "\r\nHost: localhost\r\nConnection: close";

        assertProblem(RawHttp.send(management, "GET /nope HTTP/1.1" + host), 404, "not-found");
        assertProblem(RawHttp.send(management, "GET /%ff HTTP/1.1" + host), 400, "bad-request");
        assertProblem(RawHttp.send(management, "TRACE /metrics HTTP/1.1" + host), 405, "method-not-allowed");
        assertProblem(RawHttp.send(management, "GET /{x} HTTP/1.1" + host), 400, "bad-request");
        assertProblem(RawHttp.send(management, "GET /metrics;% HTTP/1.1" + host), 400, "bad-request");
        assertProblem(RawHttp.send(management, "GET /;x=%zz HTTP/1.1" + host), 400, "bad-request");
        assertProblem(RawHttp.send(management, "POST /metrics HTTP/1.1" + host + "\r\nContent-Length: 0"), 405, "method-not-allowed");
        assertProblem(RawHttp.send(management, "GET /metrics/ HTTP/1.1" + host), 404, "not-found");
    }

    @Test
    void refusesTwoIdempotencyKeys() {
        HttpResponse<String> response = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit/workflow"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "k-one").header("Idempotency-Key", "k-two")
                .POST(HttpRequest.BodyPublishers.ofString(validRecord("workflow", "two-keys"))));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(fields(json(response))).contains("Idempotency-Key");
    }

    static Stream<Arguments> postsWithQueryParameters() {
        return Stream.of(
                arguments("/api/v1/audit/workflow?dryRun=true", validRecord("workflow", "q"), "dryRun"),
                arguments("/api/v1/audit/workflow/batch?atomic=false", "[" + validRecord("workflow", "q") + "]", "atomic"),
                arguments("/api/v1/audit/search?topK=5", "{\"query\":\"x\"}", "topK"),
                arguments("/api/v1/admin/reconcile?full=1", "", "full"),
                arguments("/api/v1/audit/workflow?%ff=1", validRecord("workflow", "q"), "query"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("postsWithQueryParameters")
    void refusesQueryParametersOnAPostNamingThem(String path, String body, String field) {
        HttpResponse<String> response = service.postJson(path, body);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
        assertThat(fields(json(response))).contains(field);
    }

    @Test
    void storesNothingWhenAPostCarriesAQueryParameter() {
        String name = AuditApiTest.unique("query-param");
        service.postJson("/api/v1/audit/workflow?x=1", validRecord("workflow", name));

        assertThat(service.get("/api/v1/audit/workflow?name=" + name).body()).contains("\"items\":[]");
    }

    static void assertProblem(RawHttp answer, int status, String type) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
        assertThat(answer.header("Content-Type")).as(answer.toString()).startsWith("application/problem+json");
        assertThat(answer.header("X-Correlation-ID")).as(answer.toString()).isNotBlank();
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("type").asString()).as(answer.body()).isEqualTo("urn:datastorage:problem:" + type);
        assertThat(problem.get("status").asInt()).isEqualTo(status);
        assertThat(problem.get("detail").asString()).isNotBlank().doesNotContain("static resource");
        assertThat(OpenApiSchemaTest.validate("#/components/schemas/Problem", problem)).as("the Problem schema").isEmpty();
    }

    static java.util.List<String> fields(JsonNode problem) {
        return problem.get("errors").valueStream().map(e -> e.get("field").asString()).toList();
    }
}
