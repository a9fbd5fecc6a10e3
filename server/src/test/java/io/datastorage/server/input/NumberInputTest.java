package io.datastorage.server.input;

import io.datastorage.core.audit.Numbers;
import io.datastorage.server.Tampering;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;

import static io.datastorage.server.input.Api.analysis;
import static io.datastorage.server.input.Api.fieldsOf;
import static io.datastorage.server.input.Api.json;
import static io.datastorage.server.input.Api.q;
import static io.datastorage.server.input.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 13, kind 1: every number in a body is within one bounded representation (at most 100
 * significant digits, exponent -400..400) or the answer is a 400 naming where it was; whatever is
 * accepted reads back with the same value through GET, the listing and the search. A stored
 * record that cannot be read is left out of pages, never a 500 for the page.
 */
class NumberInputTest {
    private static final String AIANALYSIS = "/api/v1/audit/aianalysis";
    private final Api api = new Api();

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.000", "1", "0.5", "0.50", "5E-1", "1E-400", "1e-0", "0.87",
            "1.000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
            "0.1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "9.9999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999999E-400"})
    void acceptedNumbersReadBackWithTheSameValueEverywhere(String confidence) {
        assertRoundTrip(confidence);
    }

    /** The examples and their relatives: in a known field, an unknown one, a batch, a search body. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "confidence 1E-1001 (201 then an unreadable record before)  | /api/v1/audit/aianalysis       | {\"confidence\":1E-1001}           | confidence",
            "confidence 1e-20000 (500 at the insert before)             | /api/v1/audit/aianalysis       | {\"confidence\":1e-20000}          | confidence",
            "exponent beyond 32 bits                                    | /api/v1/audit/aianalysis       | {\"confidence\":1e9999999999}      | confidence",
            "exponent beyond 64 bits                                    | /api/v1/audit/aianalysis       | {\"confidence\":1e99999999999999999999} | confidence",
            "101 significant digits                                     | /api/v1/audit/aianalysis       | {\"confidence\":0.12345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901} | confidence",
            "an unknown field                                           | /api/v1/audit/aianalysis       | {\"extra\":1e9999999999}           | extra",
            "a label value                                              | /api/v1/audit/aianalysis       | {\"labels\":{\"x\":1E-1001}}       | labels.x",
            "exitCode                                                   | /api/v1/audit/execution        | {\"exitCode\":1e9999999999}        | exitCode",
            "a batch element                                            | /api/v1/audit/aianalysis/batch | [{\"confidence\":1E-1001}]         | [0].confidence",
            "search topK                                                | /api/v1/audit/search           | {\"query\":\"x\",\"topK\":1e9999999999} | topK",
            "search minScore                                            | /api/v1/audit/search           | {\"query\":\"x\",\"minScore\":1E-1001} | minScore",
            "search vector element                                      | /api/v1/audit/search           | {\"vector\":[0.5,1e-99999]}        | vector[1]"})
    void numbersBeyondTheBoundsAreA400NamingTheField(String rule, String path, String body, String field) {
        HttpResponse<String> response = api.post(path, body);

        assertThat(fieldsOf(response)).as(response.body()).contains(field);
        assertThat(Api.messageFor(response, field)).hasValueSatisfying(m -> assertThat(m).contains("significant digits"));
        assertThat(json(response).get("type").asString()).isEqualTo("urn:datastorage:problem:validation");
    }

    /**
     * Numbers of every shape up to 1 (plain, with up to 120 digits, in scientific notation with
     * exponents to -1200): the bounds decide, and what passes them reads back identical.
     */
    @Property(tries = 25)
    void everyConfidenceIsRejectedNamingItOrReadBackIdentical(@ForAll("confidences") String confidence) {
        if (Numbers.problem(confidence) == null) {
            assertRoundTrip(confidence);
        } else {
            HttpResponse<String> response = api.post(AIANALYSIS, analysis(unique("ns"), "2026-11-20T10:00:00Z",
                    "\"confidence\":" + confidence));
            assertThat(fieldsOf(response)).containsExactly("confidence");
        }
    }

    @Provide
    Arbitrary<String> confidences() {
        Arbitrary<String> digits = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(120);
        return Arbitraries.oneOf(
                digits.map(d -> "0." + d),
                Combinators.combine(Arbitraries.strings().withCharRange('1', '9').ofLength(1), digits,
                        Arbitraries.of("e-", "E-"), Arbitraries.integers().between(1, 1200))
                        .as((first, rest, e, exponent) -> first + "." + rest + e + exponent),
                Arbitraries.integers().between(0, 1200).map(zeros -> "0." + "0".repeat(zeros) + "1"),
                Arbitraries.of("0", "1", "0.0", "1.0", "0e-5", "1E0"));
    }

    /**
     * Defence in depth: a record stored before the bounds existed, or damaged in the database, does
     * not take pages down. One that PostgreSQL wrote back as a 1,003-character number (the issue's
     * example) reads again; one that cannot be read at all is left out of the listing and the
     * search, counted, and answered by id with a problem.
     */
    @Test
    void aStoredRecordThatCannotBeReadIsLeftOutOfPagesAndReportedById() {
        String namespace = unique("poison");
        String good = api.created(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:00Z", "")).get("id").asString();
        String old = api.created(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:01Z", "")).get("id").asString();
        String bad = api.created(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:02Z", "")).get("id").asString();
        Tampering.update(api.jdbc.getDataSource(), "UPDATE audit_records SET document = document || '{\"confidence\":1E-1001}'::jsonb WHERE id = ?::uuid", old);
        // Deeper than any JSON reader's nesting limit: no version of the service could read it back.
        String deep = "[".repeat(5000) + "]".repeat(5000);
        Tampering.update(api.jdbc.getDataSource(), "UPDATE audit_records SET document = jsonb_set(document, '{deep}', ?::jsonb) WHERE id = ?::uuid",
                deep, bad);
        double before = unreadableCount();

        assertThat(new BigDecimal(api.get("aianalysis", old).get("confidence").asString()))
                .isEqualByComparingTo("1E-1001");
        HttpResponse<String> byId = api.service.get("/api/v1/audit/aianalysis/" + bad);
        assertThat(byId.statusCode()).isEqualTo(500);
        assertThat(byId.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).contains("problem+json"));
        assertThat(json(byId).get("type").asString()).isEqualTo("urn:datastorage:problem:unreadable-record");
        assertThat(json(byId).get("detail").asString()).contains(bad).doesNotContain("Exception");

        List<String> listed = api.list("namespace=" + q(namespace)).stream().map(r -> r.get("id").asString()).toList();
        assertThat(listed).containsExactly(old, good);
        List<String> paged = api.list("namespace=" + q(namespace) + "&limit=1").stream().map(r -> r.get("id").asString()).toList();
        assertThat(paged).isEmpty(); // the newest is the unreadable one: an empty page with a cursor, not a 500
        api.searchedRecord(namespace, good);
        assertThat(unreadableCount()).isGreaterThanOrEqualTo(before + 3);
    }

    private double unreadableCount() {
        String metrics = api.service.get(api.service.management("/metrics")).body();
        return metrics.lines().filter(l -> l.startsWith("datastorage_unreadable_records_total"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    private void assertRoundTrip(String confidence) {
        String namespace = unique("num");
        JsonNode receipt = api.created(AIANALYSIS, analysis(namespace, "2026-11-20T10:00:00Z", "\"confidence\":" + confidence));
        String id = receipt.get("id").asString();
        BigDecimal sent = new BigDecimal(confidence);

        assertThat(decimal(api.get("aianalysis", id))).as("GET").isEqualByComparingTo(sent);
        List<JsonNode> listed = api.list("namespace=" + q(namespace));
        assertThat(listed).hasSize(1);
        assertThat(decimal(listed.getFirst())).as("listing").isEqualByComparingTo(sent);
        assertThat(decimal(api.searchedRecord(namespace, id))).as("search").isEqualByComparingTo(sent);
    }

    private static BigDecimal decimal(JsonNode record) {
        return record.get("confidence").decimalValue();
    }
}
