package io.datastorage.server;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No client input produces a 5xx: random bytes, random JSON, and valid records with one field
 * replaced by a random value, sent to every write and read endpoint of the running service; random
 * query parameters sent to the listing; random raw request targets and random headers on every
 * endpoint, written on a socket, whose error answers are problems.
 */
class NoServerErrorPropertyTest {
    private static RunningService service;

    @BeforeContainer
    static void start() {
        service = RunningService.shared();
    }

    @Property(tries = 300)
    void randomBytesNeverCauseAServerError(@ForAll("paths") String path, @ForAll("bytes") byte[] body,
                                           @ForAll("contentTypes") String contentType) {
        HttpResponse<String> response = service.post(path, body, contentType);

        assertThat(response.statusCode()).as(response.body()).isLessThan(500);
        assertThat(response.headers().firstValue("X-Correlation-ID")).isPresent();
        if (response.statusCode() >= 400) {
            assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        }
    }

    @Property(tries = 500)
    void mutatedRecordsNeverCauseAServerError(@ForAll("kinds") String kind, @ForAll("fields") String field,
                                              @ForAll("jsonValues") String value, @ForAll boolean batch) {
        String record = RunningService.validRecord(kind, "fuzz");
        String mutated = record.replaceFirst("\\{", java.util.regex.Matcher.quoteReplacement("{\"" + field + "\":" + value + ","))
                // a replaced duplicate would be a malformed-JSON 400; replace the existing field instead
                .replaceAll(",\"" + java.util.regex.Pattern.quote(field) + "\":\"[^\"]*\"", "");
        String body = batch ? "[" + mutated + "]" : mutated;

        HttpResponse<String> response = service.postJson("/api/v1/audit/" + kind + (batch ? "/batch" : ""), body);

        assertThat(response.statusCode()).as(body + " -> " + response.body()).isLessThan(500);
    }

    @Property(tries = 100)
    void randomIdsNeverCauseAServerError(@ForAll("kinds") String kind, @ForAll("pathSegments") String id) {
        HttpResponse<String> response = service.get("/api/v1/audit/" + kind + "/" + id);

        assertThat(response.statusCode()).isIn(400, 404);
    }

    @Property(tries = 150)
    void randomListingQueriesNeverCauseAServerError(@ForAll("listingPaths") String path,
                                                    @ForAll("queryParameters") List<String> parameters) {
        String query = String.join("&", parameters);
        HttpResponse<String> response = service.get(path + "?" + query);

        assertThat(response.statusCode()).as(query + " -> " + response.body()).isLessThan(500);
    }

    /** Issue 13, kind 5: raw request targets, as bytes on a socket; whatever the container or the API answers is a problem. */
    @Property(tries = 200)
    void randomRawPathsGetAProblemNeverAServerError(@ForAll("rawTargets") String target, @ForAll("methods") String method) {
        RawHttp answer = RawHttp.send(service.api("/"), method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                + ("POST".equals(method) ? "\r\nContent-Type: application/json\r\nContent-Length: 2" : ""),
                "POST".equals(method) ? "{}".getBytes(StandardCharsets.UTF_8) : new byte[0]);

        assertThat(answer.status()).as(target + " -> " + answer).isLessThan(500);
        assertThat(answer.header("X-Correlation-ID")).as(target + " -> " + answer).isNotBlank();
        if (answer.status() >= 400) {
            assertThat(answer.header("Content-Type")).as(target + " -> " + answer).startsWith("application/problem+json");
        }
    }

    /** The same on the management port, whose actuator parses each path as Spring Security does on the API port. */
    @Property(tries = 100)
    void randomRawPathsOnTheManagementPortGetAProblemNeverAServerError(@ForAll("rawTargets") String target) {
        String path = target.replaceFirst("^/api/v1/audit", "/metrics");
        RawHttp answer = RawHttp.send(service.management("/"), "GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close");

        assertThat(answer.status()).as(path + " -> " + answer).isLessThan(500);
        if (answer.status() >= 400) {
            assertThat(answer.header("Content-Type")).as(path + " -> " + answer).startsWith("application/problem+json");
        }
    }

    /** Issue 13, kind 5: random headers on every endpoint, over a socket so that nothing is filtered out first. */
    @Property(tries = 200)
    void randomHeadersNeverCauseAServerError(@ForAll("endpoints") String endpoint, @ForAll("headerNames") String name,
                                             @ForAll("headerValues") String value) {
        String method = endpoint.substring(0, endpoint.indexOf(' '));
        String path = endpoint.substring(endpoint.indexOf(' ') + 1);
        byte[] body = "POST".equals(method) ? (path.endsWith("search") ? "{\"query\":\"x\"}"
                : path.endsWith("batch") ? "[" + RunningService.validRecord("workflow", "h") + "]"
                : RunningService.validRecord("workflow", "h")).getBytes(StandardCharsets.UTF_8) : new byte[0];
        // A chunked request says a body follows in chunks: send it so (an empty one for a GET),
        // or the server rightly waits for it and the client's read times out.
        boolean chunked = name.equalsIgnoreCase("Transfer-Encoding") && value.trim().equalsIgnoreCase("chunked");
        String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n" + name + ": " + value
                + ("POST".equals(method) ? "\r\nContent-Type: application/json" + (chunked ? "" : "\r\nContent-Length: " + body.length) : "");
        if (chunked) {
            String chunks = (body.length == 0 ? "" : Integer.toHexString(body.length) + "\r\n" + new String(body, StandardCharsets.UTF_8)
                    + "\r\n") + "0\r\n\r\n";
            body = chunks.getBytes(StandardCharsets.UTF_8);
        }

        RawHttp answer = RawHttp.send(service.api("/"), head, body);

        assertThat(answer.status()).as(head + " -> " + answer).isLessThan(500);
        if (answer.status() >= 400) {
            assertThat(answer.header("Content-Type")).as(head + " -> " + answer).startsWith("application/problem+json");
        }
    }

    @Provide
    Arbitrary<String> rawTargets() {
        Arbitrary<String> segment = Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('!', '~').ofMaxLength(20),
                Arbitraries.of("%ff", "%2F", "%2f", "%00", "%", "%zz", "%C0%AF", "%E2%82", "{", "}", "|", "\\", "..", ".", ";x=1", ";%", ";x=%zz",
                        "%2e%2e", "remediation", "search", "batch", "aianalysis", "00000000-0000-0000-0000-000000000000", ""));
        return segment.list().ofMinSize(0).ofMaxSize(5).map(parts -> "/api/v1/audit/" + String.join("/", parts))
                .map(target -> target.replace(' ', '+'));
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "get");
    }

    @Provide
    Arbitrary<String> endpoints() {
        return Arbitraries.of("POST /api/v1/audit/workflow", "POST /api/v1/audit/workflow/batch", "POST /api/v1/audit/search",
                "GET /api/v1/audit", "GET /api/v1/audit/workflow", "GET /api/v1/audit/workflow/00000000-0000-0000-0000-000000000000",
                "GET /api/v1/admin/reconcile", "GET /api/v1/openapi.yaml", "GET /healthz", "GET /readyz");
    }

    @Provide
    Arbitrary<String> headerNames() {
        return Arbitraries.oneOf(
                Arbitraries.of("Idempotency-Key", "X-Correlation-ID", "Content-Type", "Accept", "Content-Encoding", "Accept-Charset",
                        "Transfer-Encoding", "Expect", "Range", "If-None-Match", "Content-Language", "Accept-Encoding"),
                Arbitraries.strings().withCharRange('a', 'z').withChars('-').ofMinLength(1).ofMaxLength(20));
    }

    @Provide
    Arbitrary<String> headerValues() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(300),
                Arbitraries.strings().withCharRange('\u00a0', '\u00ff').ofMaxLength(50),
                Arbitraries.of("", "*/*", "text/html", "application/json; charset=utf-16", "gzip", "chunked", "100-continue",
                        "bytes=0-1", "x".repeat(9000), "\u0001", "a\tb", "application/xml;q=0.9, */*;q=0"));
    }

    /** Issue 13: search fields with text PostgreSQL cannot hold or compare (NUL, lone surrogates) are the client's error. */
    @Property(tries = 100)
    void randomSearchFieldsNeverCauseAServerError(@ForAll("searchFields") String field, @ForAll("jsonValues") String value) {
        String body = "{\"query\":\"memory\"," + (field.equals("query") ? "" : "\"" + field + "\":" + value + ",") + "\"topK\":3}";
        if (field.equals("query")) {
            body = "{\"query\":" + value + "}";
        }

        HttpResponse<String> response = service.postJson("/api/v1/audit/search", body);

        assertThat(response.statusCode()).as(body + " -> " + response.body()).isLessThan(500);
    }

    @Provide
    Arbitrary<String> searchFields() {
        return Arbitraries.of("query", "namespace", "phase", "since", "until", "kinds", "topK", "minScore", "vector", "other");
    }

    @Provide
    Arbitrary<String> listingPaths() {
        return Arbitraries.of("/api/v1/audit", "/api/v1/audit/remediation", "/api/v1/audit/nope");
    }

    @Provide
    Arbitrary<List<String>> queryParameters() {
        Arbitrary<String> names = Arbitraries.oneOf(
                Arbitraries.of("namespace", "phase", "severity", "correlationId", "name", "label", "since", "until",
                        "limit", "cursor", "includeTotal"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(10));
        Arbitrary<String> values = Arbitraries.oneOf(
                Arbitraries.strings().ofMaxLength(100).map(v -> URLEncoder.encode(v, StandardCharsets.UTF_8)),
                Arbitraries.of("%ED%A0%80", "%C0%80", "%00", "%FF", "team=payments", "team%3D", "=", "30m", "0s",
                        "99999999999d", "999999999d", "2026-11-20T10:00:00Z", "2026-11-20T10:00:00%2B01:00", "0", "1000",
                        "AQAAAABrABogAAAAAA", "true", "Failed", "critical", "", "x".repeat(3000)));
        return Combinators.combine(names, values).as((name, value) -> name + "=" + value).list().ofMaxSize(8);
    }

    @Provide
    Arbitrary<String> paths() {
        return Arbitraries.of("/api/v1/audit/remediation", "/api/v1/audit/aianalysis/batch", "/api/v1/audit/workflow",
                "/api/v1/audit/execution/batch", "/api/v1/audit/nope", "/api/v1/audit/search");
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.of("application/json", "application/json; charset=utf-8", "text/plain", "application/octet-stream",
                "application/json; charset=utf-16", "application/json; charset=iso-8859-1", "application/json; charset=",
                "application/json;;", "application/", "*/*");
    }

    @Provide
    Arbitrary<byte[]> bytes() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(2000),
                Arbitraries.strings().ofMaxLength(500).map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Arbitraries.of("{", "[", "null", "1", "\"x\"", "{}", "[{}]", "[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]",
                        "[".repeat(5000) + "]".repeat(5000), "{\"a\":" + "9".repeat(5000) + "}", "{\"a\":1e999999999}",
                        "\uFEFF{}", "{\"name\":NaN}").map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }

    @Provide
    Arbitrary<String> kinds() {
        return Arbitraries.of(RunningService.KINDS);
    }

    @Provide
    Arbitrary<String> fields() {
        return Arbitraries.oneOf(
                Arbitraries.of("name", "namespace", "phase", "createdAt", "startedAt", "completedAt", "correlationId",
                        "message", "labels", "severity", "confidence", "exitCode", "step", "signalName", "rootCause"),
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12));
    }

    @Provide
    Arbitrary<String> jsonValues() {
        Arbitrary<String> strings = Arbitraries.strings().ofMaxLength(300).map(NoServerErrorPropertyTest::quote);
        return Arbitraries.oneOf(
                strings,
                Arbitraries.of("null", "true", "[]", "{}", "0", "-1", "1.5", "1e308", "-1e-308", "123456789012345678901234567890",
                        "\"\\u0000\"", "\"\\ud800\"", "\"2026-11-20T10:00:00Z\"", "\"+999999999-12-31T23:59:59Z\"",
                        "\"2026-13-45T99:00:00Z\"", "\"" + "x".repeat(20000) + "\"", "{\"k\":1}", "{\"k\":\"v\"}", "[\"a\"]"),
                Arbitraries.integers().map(String::valueOf),
                Arbitraries.doubles().map(String::valueOf).filter(s -> !s.contains("N") && !s.contains("I")));
    }

    @Provide
    Arbitrary<String> pathSegments() {
        return Arbitraries.oneOf(
                Arbitraries.strings().withCharRange('a', 'z').numeric().withChars('-').ofMinLength(1).ofMaxLength(50),
                Arbitraries.create(() -> java.util.UUID.randomUUID().toString()),
                Arbitraries.of("%00", "..", "%2e%2e", "00000000-0000-0000-0000-000000000000", "1-1-1-1-1"));
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < 0x20) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }

}
