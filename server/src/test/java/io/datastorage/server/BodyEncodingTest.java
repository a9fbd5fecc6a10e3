package io.datastorage.server;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;

import static io.datastorage.server.AuditApiTest.json;
import static io.datastorage.server.RunningService.validRecord;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * Issue 13, kind 3: bodies are UTF-8 JSON, decoded strictly (RFC 3629), in the charset and
 * content coding the service reads, or refused with a 4xx that says why. Before, an overlong
 * {@code C0 AF} was stored as {@code /} (the classic filter bypass), a UTF-16 body was accepted,
 * {@code charset=ISO-8859-1} was ignored and a gzip body was "malformed JSON".
 */
class BodyEncodingTest {
    static RunningService service;

    @BeforeAll
    static void start() {
        service = RunningService.shared();
    }

    /** A valid remediation whose {@code name} is "n" followed by the given raw bytes, and the offset of those bytes. */
    static byte[] recordWithNameBytes(byte[] raw) {
        String marker = "NAME-BYTES";
        String text = validRecord("remediation", marker);
        byte[] before = text.substring(0, text.indexOf(marker)).getBytes(StandardCharsets.UTF_8);
        byte[] after = text.substring(text.indexOf(marker) + marker.length()).getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(before);
        out.write('n');
        out.writeBytes(raw);
        out.writeBytes(after);
        return out.toByteArray();
    }

    static int nameOffset() {
        String text = validRecord("remediation", "NAME-BYTES");
        return text.substring(0, text.indexOf("NAME-BYTES")).getBytes(StandardCharsets.UTF_8).length + 1;
    }

    static Stream<Arguments> notUtf8() {
        return Stream.of(
                arguments("overlong '/' in two bytes", "C0 AF"),
                arguments("overlong '/' in three bytes", "E0 80 AF"),
                arguments("overlong '/' in four bytes", "F0 80 80 AF"),
                arguments("overlong NUL", "C0 80"),
                arguments("C1, never a lead byte", "C1 BF"),
                arguments("encoded high surrogate (CESU-8)", "ED A0 80"),
                arguments("encoded low surrogate", "ED BF BF"),
                arguments("above U+10FFFF", "F4 90 80 80"),
                arguments("F5, never a lead byte", "F5 80 80 80"),
                arguments("FE", "FE"),
                arguments("FF", "FF"),
                arguments("lone continuation byte", "80"),
                arguments("three-byte sequence cut after two", "E2 82"),
                arguments("Latin-1 e-acute", "E9"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notUtf8")
    void refusesBytesThatAreNotUtf8NamingTheByteOffset(String what, String hex) {
        byte[] body = recordWithNameBytes(HexFormat.ofDelimiter(" ").parseHex(hex));

        HttpResponse<String> response = service.post("/api/v1/audit/remediation", body, "application/json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = json(response);
        assertThat(problem.get("type").asString()).isEqualTo("urn:datastorage:problem:malformed-json");
        assertThat(problem.get("detail").asString()).contains("not UTF-8").contains("at byte offset " + nameOffset());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"C2 80", "DF BF", "E0 A0 80", "ED 9F BF", "EE 80 80", "EF BF BD", "EF BF BF", "F0 90 80 80",
            "F4 8F BF BF", "7F"})
    void storesTheBoundariesOfUtf8ByteForByte(String hex) {
        byte[] raw = HexFormat.ofDelimiter(" ").parseHex(hex);

        HttpResponse<String> created = service.post("/api/v1/audit/remediation", recordWithNameBytes(raw), "application/json");

        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String name = json(service.get(created.headers().firstValue("Location").orElseThrow())).get("name").asString();
        assertThat(name.getBytes(StandardCharsets.UTF_8)).isEqualTo(("n" + new String(raw, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void ignoresALeadingByteOrderMark() {
        byte[] body = ("\uFEFF" + validRecord("workflow", "bom")).getBytes(StandardCharsets.UTF_8);

        assertThat(service.post("/api/v1/audit/workflow", body, "application/json").statusCode()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF-16BE", "UTF-16LE", "UTF-16", "UTF-32BE"})
    void refusesUtf16And32Bodies(String charset) {
        byte[] body = validRecord("workflow", "wide").getBytes(java.nio.charset.Charset.forName(charset));

        HttpResponse<String> response = service.post("/api/v1/audit/workflow", body, "application/json");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:malformed-json");
    }

    static Stream<Arguments> contentTypes() {
        return Stream.of(
                arguments("application/json; charset=ISO-8859-1", 415),
                arguments("application/json; charset=utf-16", 415),
                arguments("application/json; charset=us-ascii", 415),
                arguments("application/json; charset=windows-1252", 415),
                arguments("application/json; charset=no-such-charset", 415),
                arguments("application/json; charset=\"ut f8\"", 415),
                arguments("application/json", 201),
                arguments("application/json; charset=utf-8", 201),
                arguments("application/json; charset=UTF-8", 201),
                arguments("application/json;charset=\"utf-8\"", 201),
                arguments("Application/JSON; Charset=Utf-8", 201));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("contentTypes")
    void readsOnlyUtf8(String contentType, int status) {
        HttpResponse<String> response = service.post("/api/v1/audit/workflow",
                validRecord("workflow", "charset").getBytes(StandardCharsets.UTF_8), contentType);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 415) {
            assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:unsupported-media-type");
            assertThat(json(response).get("detail").asString()).containsAnyOf("UTF-8", "Content-Type");
        }
    }

    /** A 415 says what was wrong with the Content-Type, not "Content-Type 'null'" or "Could not parse" (a tester's find). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "''                             | The request has no Content-Type",
            "application/json; charset=bogus | names a charset this JVM does not know",
            "text/plain                     | Content-Type 'text/plain' is not supported"})
    void anUnsupportedContentTypeIsNamedAndExplained(String contentType, String detail) {
        HttpRequest.Builder request = HttpRequest.newBuilder(service.api("/api/v1/audit/workflow"))
                .POST(HttpRequest.BodyPublishers.ofString(validRecord("workflow", "content-type")));
        if (!contentType.isEmpty()) {
            request.header("Content-Type", contentType);
        }
        HttpResponse<String> response = service.send(request);

        assertThat(response.statusCode()).as(response.body()).isEqualTo(415);
        assertThat(json(response).get("detail").asString()).contains(detail).doesNotContain("'null'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "deflate", "br", "zstd", "x-gzip", "gzip, identity", "identity, gzip"})
    void refusesCompressedBodiesWith415AndSaysWhatItAccepts(String coding) {
        for (String path : new String[]{"/api/v1/audit/workflow", "/api/v1/audit/workflow/batch", "/api/v1/audit/search"}) {
            HttpResponse<String> response = service.send(HttpRequest.newBuilder(service.api(path))
                    .header("Content-Type", "application/json").header("Content-Encoding", coding)
                    .POST(HttpRequest.BodyPublishers.ofString("{}")));

            assertThat(response.statusCode()).as(path + " " + response.body()).isEqualTo(415);
            assertThat(response.headers().firstValue("Accept-Encoding")).hasValue("identity");
            assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:unsupported-media-type");
        }
    }

    @Test
    void acceptsTheIdentityCoding() {
        HttpResponse<String> response = service.send(HttpRequest.newBuilder(service.api("/api/v1/audit/workflow"))
                .header("Content-Type", "application/json").header("Content-Encoding", "identity")
                .POST(HttpRequest.BodyPublishers.ofString(validRecord("workflow", "identity"))));

        assertThat(response.statusCode()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"query\":\"a\\u0000b\"}", "{\"query\":\"a\\ud800b\"}", "{\"query\":\"x\",\"namespace\":\"a\\u0000b\"}",
            "{\"query\":\"x\",\"namespace\":\"a\\udc00\"}", "{\"query\":\"x\",\"kinds\":[\"\\u0000\"]}",
            "{\"query\":\"x\",\"since\":\"\\u0000\"}"})
    void searchTextThatCannotBeStoredIsTheClientsError(String body) {
        HttpResponse<String> response = service.postJson("/api/v1/audit/search", body);

        assertThat(response.statusCode()).as(body + " -> " + response.body()).isIn(200, 400);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\\u0000b", "a\\udc00", "\\ud800"})
    void refusesASearchNamespaceNoRecordCanHave(String escaped) {
        HttpResponse<String> response = service.postJson("/api/v1/audit/search", "{\"query\":\"x\",\"namespace\":\"" + escaped + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(json(response).get("errors").get(0).get("field").asString()).isEqualTo("namespace");
    }

    @Test
    void appliesTheSameRulesToBatchesAndSearch() {
        byte[] overlong = "[{\"name\":\"\u0000\"}]".getBytes(StandardCharsets.UTF_8);
        overlong[10] = (byte) 0xC0;
        byte[] search = "{\"query\":\"x\u0000\"}".getBytes(StandardCharsets.UTF_8);
        search[11] = (byte) 0xC0;

        HttpResponse<String> batch = service.post("/api/v1/audit/workflow/batch", overlong, "application/json");
        HttpResponse<String> query = service.post("/api/v1/audit/search", search, "application/json");
        HttpResponse<String> latin1 = service.post("/api/v1/audit/search", "{\"query\":\"x\"}".getBytes(StandardCharsets.UTF_8),
                "application/json; charset=ISO-8859-1");

        assertThat(batch.statusCode()).as(batch.body()).isEqualTo(400);
        assertThat(json(batch).get("detail").asString()).contains("at byte offset 10");
        assertThat(query.statusCode()).as(query.body()).isEqualTo(400);
        assertThat(json(query).get("detail").asString()).contains("at byte offset 11");
        assertThat(latin1.statusCode()).isEqualTo(415);
    }
}
