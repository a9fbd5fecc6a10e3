package io.datastorage.server.input;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpResponse;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.datastorage.server.input.Api.analysis;
import static io.datastorage.server.input.Api.fieldsOf;
import static io.datastorage.server.input.Api.json;
import static io.datastorage.server.input.Api.q;
import static io.datastorage.server.input.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kinds 6 and 7: one set of limits, counted one way (Unicode code points), and one count
 * of errors, shared by the write, the listing and the search; a label key that no
 * {@code label=key=value} filter could select is refused, saying why.
 */
class LimitsAndLabelKeysTest {
    private static final String AIANALYSIS = "/api/v1/audit/aianalysis";
    private static final String ROCKET = "\uD83D\uDE80"; // one code point, two UTF-16 units, four UTF-8 bytes
    private final Api api = new Api();

    /** The issue's example: 150 unknown fields were reported as "101 invalid field(s)". */
    @Test
    void everyEndpointReportsTheRealNumberOfErrorsAndListsAtMostOneHundred() {
        String fields = IntStream.range(0, 150).mapToObj(i -> "\"u" + i + "\":1").collect(Collectors.joining(","));
        String parameters = IntStream.range(0, 150).mapToObj(i -> "u" + i + "=1").collect(Collectors.joining("&"));

        for (HttpResponse<String> response : new HttpResponse[]{
                api.post(AIANALYSIS, analysis("ns", "2026-11-20T10:00:00Z", fields)),
                api.post(AIANALYSIS + "/batch", "[" + analysis("ns", "2026-11-20T10:00:00Z", fields) + "]"),
                api.service.get("/api/v1/audit?" + parameters),
                api.post("/api/v1/audit/search", "{\"query\":\"x\"," + fields + "}")}) {
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(json(response).get("detail").asString()).isEqualTo("The request has 150 invalid field(s); see errors.");
            assertThat(json(response).get("errors")).hasSize(101);
            assertThat(json(response).get("errors").get(100).get("message").asString()).isEqualTo("50 more error(s) not listed");
        }
    }

    /** Search capped namespace at 253 UTF-16 units while writes took 255 code points. */
    @ParameterizedTest
    @CsvSource({"255, 201", "256, 400"})
    void aNamespaceIsCountedInCodePointsAndLimitedAlikeByTheWriteTheListingAndTheSearch(int codePoints, int status) {
        String namespace = unique("n").substring(0, 10) + ROCKET.repeat(codePoints - 10);
        assertNamespaceAgrees(namespace, status == 201);
    }

    @ParameterizedTest
    @CsvSource({"1000, 200", "1001, 400"})
    void aSearchQueryIsCountedInCodePoints(int codePoints, int status) {
        HttpResponse<String> response = api.post("/api/v1/audit/search", "{\"query\":\"" + ROCKET.repeat(codePoints) + "\"}");

        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        if (status == 400) {
            assertThat(fieldsOf(response)).containsExactly("query");
        }
    }

    /** Namespaces of 1..300 code points, some astral, some blank: all three endpoints agree. */
    @Property(tries = 15)
    void theWriteTheListingAndTheSearchAgreeOnEveryNamespace(@ForAll("namespaces") String namespace) {
        boolean valid = !namespace.isBlank() && namespace.codePointCount(0, namespace.length()) <= 255;
        assertNamespaceAgrees(namespace, valid);
    }

    @Provide
    Arbitrary<String> namespaces() {
        return Arbitraries.integers().between(1, 300).flatMap(length -> Arbitraries.of("a", "é", ROCKET, "-", " ")
                .list().ofSize(length).map(parts -> unique("").substring(1, 9) + String.join("", parts)))
                .map(s -> s.codePointCount(0, s.length()) > 300 ? s.substring(0, s.offsetByCodePoints(0, 300)) : s);
    }

    private void assertNamespaceAgrees(String namespace, boolean valid) {
        HttpResponse<String> written = api.post(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:00Z", ""));
        HttpResponse<String> listed = api.service.get("/api/v1/audit?namespace=" + q(namespace));
        HttpResponse<String> searched = api.post("/api/v1/audit/search",
                "{\"query\":\"memory leak in the cache\",\"namespace\":" + Api.JSON.writeValueAsString(namespace) + "}");
        if (valid) {
            assertThat(written.statusCode()).as(written.body()).isEqualTo(201);
            assertThat(listed.statusCode()).isEqualTo(200);
            assertThat(json(listed).get("items")).hasSize(1);
            assertThat(searched.statusCode()).as(searched.body()).isEqualTo(200);
            api.searchedRecord(namespace, json(written).get("id").asString());
        } else {
            assertThat(fieldsOf(written)).containsExactly("namespace");
            assertThat(fieldsOf(listed)).containsExactly("namespace");
            assertThat(fieldsOf(searched)).containsExactly("namespace");
            assertThat(Api.messageFor(written, "namespace")).isEqualTo(Api.messageFor(listed, "namespace"))
                    .isEqualTo(Api.messageFor(searched, "namespace"));
        }
    }

    /** The issue's example {@code a=b} and its relatives; the listing refuses the same keys with the same words. */
    @ParameterizedTest
    @ValueSource(strings = {"a=b", "=", "a=", "=a"})
    void aLabelKeyThatNoFilterCouldSelectIsRefusedSayingWhy(String key) {
        HttpResponse<String> response = api.post(AIANALYSIS, analysis(unique("ns"), "2026-11-20T10:00:00Z",
                "\"labels\":{" + Api.JSON.writeValueAsString(key) + ":\"c\"}"));

        assertThat(fieldsOf(response)).containsExactly("labels." + key);
        assertThat(Api.messageFor(response, "labels." + key)).hasValueSatisfying(m ->
                assertThat(m).contains("must not contain '='", "label=key=value"));
    }

    @Test
    void theListingRefusesALabelKeyARecordCannotHave() {
        assertThat(Api.messageFor(api.service.get("/api/v1/audit?label=" + q("=c")), "label"))
                .hasValueSatisfying(m -> assertThat(m).startsWith("label key must not be empty"));
        assertThat(Api.messageFor(api.service.get("/api/v1/audit?label=" + q("k".repeat(257) + "=c")), "label"))
                .hasValueSatisfying(m -> assertThat(m).startsWith("label key must be at most 256 characters"));
    }

    /** Keys and values of awkward characters: refused naming the key, or found by {@code label=key=value}. */
    @Property(tries = 30)
    void everyAcceptedLabelCanBeSelectedByTheListing(@ForAll("labelTexts") String key, @ForAll("labelTexts") String value) {
        String namespace = unique("labels");
        HttpResponse<String> written = api.post(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:00Z",
                "\"labels\":{" + Api.JSON.writeValueAsString(key) + ":" + Api.JSON.writeValueAsString(value) + "}"));
        if (key.isEmpty() || key.contains("=")) {
            assertThat(fieldsOf(written)).containsExactly("labels." + key);
            return;
        }
        assertThat(written.statusCode()).as(written.body()).isEqualTo(201);

        assertThat(api.list("namespace=" + q(namespace) + "&label=" + q(key + "=" + value))).hasSize(1);
        assertThat(api.list("namespace=" + q(namespace) + "&label=" + q(key + "=" + value + "x"))).isEmpty();
    }

    @Provide
    Arbitrary<String> labelTexts() {
        return Arbitraries.of("a", "=", "&", "%", "+", " ", "é", ROCKET, "#", "?", "/", "\"").list().ofMaxSize(6)
                .map(parts -> String.join("", parts));
    }
}
